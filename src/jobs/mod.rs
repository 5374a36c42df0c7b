//! Background work: the rating batcher and the Redis monitor.

pub mod batcher;
pub mod redis_monitor;
