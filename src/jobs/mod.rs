//! Background work: the rating batcher, the Redis monitor and housekeeping.

pub mod batcher;
pub mod housekeeping;
pub mod redis_monitor;
