//! Integration tests: the real server on a random loopback port, a fresh SQLite file each.

mod helpers;
mod orders;
