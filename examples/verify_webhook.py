import hashlib, hmac, time

def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """Checks a Chatout-Signature header against the raw request body."""
    parts = dict(p.strip().split("=", 1) for p in header.split(",") if "=" in p)
    try:
        sent = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - sent) > tolerance:
        return False  # an old delivery, replayed
    signed = f"{sent}.".encode() + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))

if __name__ == "__main__":  # python3 verify_webhook.py "<Chatout-Signature>" < body.json
    import os, sys
    ok = verify(os.environ["CHATOUT_WEBHOOK_SECRET"], sys.argv[1], sys.stdin.buffer.read())
    print("valid" if ok else "INVALID")
    sys.exit(0 if ok else 1)
