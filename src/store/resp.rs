//! Stub: the Redis protocol (being written).
