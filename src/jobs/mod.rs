//! Background work: the rating batcher, the Redis and replica monitors,
//! housekeeping and the score refresher.

pub mod alerts;
pub mod batcher;
pub mod housekeeping;
pub mod integrity;
pub mod reconcile;
pub mod redis_monitor;
pub mod replica_monitor;
pub mod scores;
