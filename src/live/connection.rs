//! The one Redis connection [`super::Live`] holds: to a single server or to
//! a Redis Cluster, chosen by the scheme of `REDIS_URL`.
//!
//! A cluster is named by `redis+cluster://` followed by one or more of its
//! nodes, comma-separated, e.g.
//! `redis+cluster://:secret@10.0.0.1:7000,10.0.0.2:7000,10.0.0.3:7000`.
//! Those nodes are only where the client starts: it learns the rest of the
//! cluster from them. Any other URL names a single server.
//! `rediss+cluster://` names the nodes `rediss://`, which (like `rediss://`
//! for one server) the redis crate refuses while built without TLS.

use std::collections::HashMap;
use std::time::Duration;

use futures_util::future::try_join_all;
use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::{Route, RoutingInfo, SingleNodeRoutingInfo, Slot, SlotAddr};
use redis::{Cmd, FromRedisValue, Pipeline, RedisFuture, RedisResult, Value};

/// How long connecting to one node may take.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);

/// Where Redis is: one server, or the seed nodes of a cluster.
pub(super) enum Target {
    /// A single server.
    Single(redis::Client),
    /// A Redis Cluster (boxed: it is more than twice a client's size).
    Cluster(Box<ClusterClient>),
}

impl Target {
    /// Reads `REDIS_URL`: a `redis+cluster://` or `rediss+cluster://` URL
    /// names a cluster, anything else one server.
    pub(super) fn parse(url: &str) -> RedisResult<Self> {
        match cluster_node_urls(url) {
            Some(nodes) => Ok(Self::Cluster(Box::new(
                ClusterClient::builder(nodes)
                    .connection_timeout(CONNECT_TIMEOUT)
                    .response_timeout(super::CALL_TIMEOUT)
                    // A retry follows a MOVED after a failover or a
                    // resharding; more would only outlast the call deadline.
                    .retries(2)
                    .min_retry_wait(10)
                    .max_retry_wait(50)
                    .build()?,
            ))),
            None => Ok(Self::Single(redis::Client::open(url)?)),
        }
    }

    /// Opens a connection, failing within the call deadlines.
    pub(super) async fn connect(&self) -> RedisResult<Connection> {
        match self {
            Self::Single(client) => {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(CONNECT_TIMEOUT))
                    .set_response_timeout(Some(super::CALL_TIMEOUT))
                    .set_number_of_retries(1);
                let manager = client.get_connection_manager_with_config(config).await?;
                Ok(Connection::Single(manager))
            }
            Self::Cluster(client) => Ok(Connection::Cluster(client.get_async_connection().await?)),
        }
    }
}

/// The node URLs of a cluster URL (see the module's documentation), each
/// with the cluster URL's credentials, path and query; `None` for any
/// other URL.
fn cluster_node_urls(url: &str) -> Option<Vec<String>> {
    let (scheme, rest) = url.split_once("://")?;
    let node_scheme = match scheme {
        "redis+cluster" => "redis",
        "rediss+cluster" => "rediss",
        _ => return None,
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let (credentials, hosts) = match authority.rsplit_once('@') {
        Some((credentials, hosts)) => (format!("{credentials}@"), hosts),
        None => (String::new(), authority),
    };
    Some(
        hosts
            .split(',')
            .map(str::trim)
            .filter(|host| !host.is_empty())
            .map(|host| format!("{node_scheme}://{credentials}{host}{tail}"))
            .collect(),
    )
}

/// A connection to a single server or to a cluster; both route every
/// command themselves, so callers use either through [`ConnectionLike`].
///
/// On a cluster a pipeline or a script may only touch keys of one hash
/// slot: keys meant to be used together share a hash tag (`{v:<venue>}`,
/// `{signin}`), and batches over unrelated keys go through
/// [`Connection::query_each`].
#[derive(Clone)]
pub(super) enum Connection {
    /// A single server, reconnecting by itself.
    Single(ConnectionManager),
    /// A cluster, following its slots as they move.
    Cluster(ClusterConnection),
}

impl ConnectionLike for Connection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Self::Single(conn) => conn.req_packed_command(cmd),
            Self::Cluster(conn) => conn.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Self::Single(conn) => conn.req_packed_commands(pipeline, offset, count),
            Self::Cluster(conn) => conn.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Single(conn) => conn.get_db(),
            Self::Cluster(conn) => conn.get_db(),
        }
    }
}

/// A node a SCAN has to walk: on a cluster each primary holds only its own
/// slots' keys.
#[derive(Debug, Clone, Copy)]
pub(super) enum ScanNode {
    /// The single server.
    Single,
    /// The cluster primary serving this slot.
    PrimaryOf(u16),
}

impl Connection {
    /// Sends commands that each name one key (their first argument) in as
    /// few round trips as the server allows, and returns their answers in
    /// order: one pipeline on a single server; on a cluster, where a
    /// pipeline may not span hash slots, one pipeline per slot, all at
    /// once. Not atomic either way.
    pub(super) async fn query_each<T: FromRedisValue>(
        &mut self,
        commands: Vec<Cmd>,
    ) -> RedisResult<Vec<T>> {
        if commands.is_empty() {
            return Ok(Vec::new());
        }
        let cluster = match self {
            Self::Single(conn) => {
                let mut pipe = redis::pipe();
                for command in commands {
                    pipe.add_command(command);
                }
                return pipe.query_async(conn).await;
            }
            Self::Cluster(conn) => conn,
        };
        let total = commands.len();
        let mut by_slot: HashMap<Slot, (Pipeline, Vec<usize>)> = HashMap::new();
        for (index, command) in commands.into_iter().enumerate() {
            let (pipe, indices) = by_slot
                .entry(Slot::for_key(first_key(&command)))
                .or_insert_with(|| (redis::pipe(), Vec::new()));
            pipe.add_command(command);
            indices.push(index);
        }
        let answers = try_join_all(by_slot.into_values().map(|(pipe, indices)| {
            let mut conn = cluster.clone();
            async move {
                let answers: Vec<T> = pipe.query_async(&mut conn).await?;
                RedisResult::Ok(indices.into_iter().zip(answers))
            }
        }))
        .await?;
        let mut ordered: Vec<Option<T>> = std::iter::repeat_with(|| None).take(total).collect();
        for (index, answer) in answers.into_iter().flatten() {
            ordered[index] = Some(answer);
        }
        // A pipeline answers each of its commands, so every place is filled.
        Ok(ordered.into_iter().flatten().collect())
    }

    /// The nodes a SCAN of the whole keyspace has to walk: the single
    /// server, or every primary of the cluster (each named by one slot it
    /// serves, so a SCAN follows the slot to whichever node serves it now).
    pub(super) async fn scan_nodes(&mut self) -> RedisResult<Vec<ScanNode>> {
        let conn = match self {
            Self::Single(_) => return Ok(vec![ScanNode::Single]),
            Self::Cluster(conn) => conn,
        };
        let slots: Value = redis::cmd("CLUSTER").arg("SLOTS").query_async(conn).await?;
        Ok(primaries_by_first_slot(&slots)
            .into_iter()
            .map(ScanNode::PrimaryOf)
            .collect())
    }

    /// One SCAN step on `node`: the next cursor (0 when done) and the keys
    /// matching `pattern` in this step.
    pub(super) async fn scan_step(
        &mut self,
        node: ScanNode,
        cursor: u64,
        pattern: &str,
        count: usize,
    ) -> RedisResult<(u64, Vec<String>)> {
        let mut scan = redis::cmd("SCAN");
        scan.arg(cursor)
            .arg("MATCH")
            .arg(pattern)
            .arg("COUNT")
            .arg(count);
        match (self, node) {
            (Self::Cluster(conn), ScanNode::PrimaryOf(slot)) => {
                let route = Route::new(slot, SlotAddr::Master);
                let routing = RoutingInfo::SingleNode(SingleNodeRoutingInfo::SpecificNode(route));
                Ok(redis::from_redis_value(
                    conn.route_command(scan, routing).await?,
                )?)
            }
            (conn, _) => scan.query_async(conn).await,
        }
    }
}

/// The key of a single-key command: its first argument.
fn first_key(command: &Cmd) -> &[u8] {
    command
        .args_iter()
        .nth(1)
        .and_then(|arg| match arg {
            redis::Arg::Simple(key) => Some(key),
            _ => None,
        })
        .unwrap_or_default()
}

/// From a `CLUSTER SLOTS` answer (`[[first, last, [host, port, id], replicas…], …]`),
/// one slot of each primary, in the order the answer first names them.
fn primaries_by_first_slot(slots: &Value) -> Vec<u16> {
    let Value::Array(ranges) = slots else {
        return Vec::new();
    };
    let mut seen: Vec<&[Value]> = Vec::new();
    let mut first_slots = Vec::new();
    for range in ranges {
        let Value::Array(parts) = range else {
            continue;
        };
        let (Some(Value::Int(first)), Some(Value::Array(primary))) = (parts.first(), parts.get(2))
        else {
            continue;
        };
        // host and port name the node; its id (when sent) would too.
        let Some(address) = primary.get(..2) else {
            continue;
        };
        let Ok(first) = u16::try_from(*first) else {
            continue;
        };
        if !seen.contains(&address) {
            seen.push(address);
            first_slots.push(first);
        }
    }
    first_slots
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cluster_url_names_each_node_with_the_same_credentials() {
        assert_eq!(
            cluster_node_urls("redis+cluster://:pw@10.0.0.1:7000,10.0.0.2:7001/0?protocol=3"),
            Some(vec![
                "redis://:pw@10.0.0.1:7000/0?protocol=3".to_owned(),
                "redis://:pw@10.0.0.2:7001/0?protocol=3".to_owned(),
            ])
        );
        assert_eq!(
            cluster_node_urls("rediss+cluster://h1:7000, h2:7000,#insecure"),
            Some(vec![
                "rediss://h1:7000#insecure".to_owned(),
                "rediss://h2:7000#insecure".to_owned()
            ])
        );
    }

    #[test]
    fn other_urls_name_one_server() {
        assert_eq!(cluster_node_urls("redis://127.0.0.1:6379/"), None);
        assert_eq!(cluster_node_urls("rediss://:pw@host/"), None);
        assert_eq!(cluster_node_urls("unix:///run/redis.sock"), None);
        assert!(matches!(
            Target::parse("redis://127.0.0.1:6379/"),
            Ok(Target::Single(_))
        ));
        assert!(matches!(
            Target::parse("redis+cluster://127.0.0.1:7000,127.0.0.1:7001"),
            Ok(Target::Cluster(_))
        ));
        assert!(Target::parse("redis+cluster://").is_err());
    }

    #[test]
    fn a_scan_visits_each_primary_once() {
        let node = |port: i64, id: &str| {
            Value::Array(vec![
                Value::BulkString(b"127.0.0.1".to_vec()),
                Value::Int(port),
                Value::BulkString(id.as_bytes().to_vec()),
            ])
        };
        let range = |first: i64, last: i64, primary: Value, replica: Value| {
            Value::Array(vec![Value::Int(first), Value::Int(last), primary, replica])
        };
        let slots = Value::Array(vec![
            range(0, 5460, node(7001, "a"), node(7004, "d")),
            range(5461, 10922, node(7002, "b"), node(7005, "e")),
            range(10923, 12000, node(7003, "c"), node(7006, "f")),
            // A primary serving a second range after resharding.
            range(12001, 16383, node(7001, "a"), node(7004, "d")),
        ]);
        assert_eq!(primaries_by_first_slot(&slots), vec![0, 5461, 10923]);
    }
}
