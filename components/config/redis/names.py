"""The directive and command names redis 7.4.1 knows. Generated: do not edit.

    toolchain/redis-names/generate.py <redis git dir> 7.4.1 \
        > components/config/redis/names.py

redis refuses to start on a config line it does not know, and on an ACL rule
naming a command it does not have, so both are checked against these before
anything is deployed. Subcommands are `container|name`, as ACL rules write them.
"""

REDIS_VERSION = "7.4.1"

DIRECTIVES = frozenset("""
    acl-pubsub-default aclfile acllog-max-len active-defrag-cycle-max
    active-defrag-cycle-min active-defrag-ignore-bytes active-defrag-max-scan-fields
    active-defrag-threshold-lower active-defrag-threshold-upper active-expire-effort
    activedefrag activerehashing always-show-logo aof-disable-auto-gc aof-load-truncated
    aof-rewrite-cpulist aof-rewrite-incremental-fsync aof-timestamp-enabled
    aof-use-rdb-preamble aof_rewrite_cpulist appenddirname appendfilename appendfsync
    appendonly auto-aof-rewrite-min-size auto-aof-rewrite-percentage bgsave-cpulist
    bgsave_cpulist bind bind-source-addr bio-cpulist bio_cpulist busy-reply-threshold
    client-default-resp client-output-buffer-limit client-query-buffer-limit
    cluster-allow-pubsubshard-when-down cluster-allow-reads-when-down
    cluster-allow-replica-migration cluster-announce-bus-port cluster-announce-hostname
    cluster-announce-human-nodename cluster-announce-ip cluster-announce-port
    cluster-announce-tls-port cluster-config-file cluster-enabled cluster-link-sendbuf-limit
    cluster-migration-barrier cluster-node-timeout cluster-ping-interval cluster-port
    cluster-preferred-endpoint-type cluster-replica-no-failover
    cluster-replica-validity-factor cluster-require-full-coverage cluster-slave-no-failover
    cluster-slave-validity-factor crash-log-enabled crash-memcheck-enabled daemonize
    databases dbfilename dir disable-thp dynamic-hz enable-debug-command
    enable-module-command enable-protected-configs hash-max-listpack-entries
    hash-max-listpack-value hash-max-ziplist-entries hash-max-ziplist-value
    hide-user-data-from-log hll-sparse-max-bytes hz ignore-warnings include io-threads
    io-threads-do-reads jemalloc-bg-thread key-load-delay latency-monitor-threshold
    latency-tracking latency-tracking-info-percentiles lazyfree-lazy-eviction
    lazyfree-lazy-expire lazyfree-lazy-server-del lazyfree-lazy-user-del
    lazyfree-lazy-user-flush lfu-decay-time lfu-log-factor list-compress-depth
    list-max-listpack-size list-max-ziplist-entries list-max-ziplist-size
    list-max-ziplist-value loading-process-events-interval-bytes loadmodule locale-collate
    logfile loglevel lua-replicate-commands lua-time-limit masterauth masteruser
    max-new-connections-per-cycle max-new-tls-connections-per-cycle maxclients maxmemory
    maxmemory-clients maxmemory-eviction-tenacity maxmemory-policy maxmemory-samples
    min-replicas-max-lag min-replicas-to-write min-slaves-max-lag min-slaves-to-write
    no-appendfsync-on-rewrite notify-keyspace-events oom-score-adj oom-score-adj-values
    pidfile port proc-title-template propagation-error-behavior protected-mode
    proto-max-bulk-len rdb-del-sync-files rdb-key-save-delay rdb-save-incremental-fsync
    rdbchecksum rdbcompression rename-command repl-backlog-size repl-backlog-ttl
    repl-disable-tcp-nodelay repl-diskless-load repl-diskless-sync repl-diskless-sync-delay
    repl-diskless-sync-max-replicas repl-ping-replica-period repl-ping-slave-period
    repl-timeout replica-announce-ip replica-announce-port replica-announced
    replica-ignore-disk-write-errors replica-ignore-maxmemory replica-lazy-flush
    replica-priority replica-read-only replica-serve-stale-data replicaof req-res-logfile
    requirepass sanitize-dump-payload save sentinel server-cpulist server_cpulist
    set-max-intset-entries set-max-listpack-entries set-max-listpack-value set-proc-title
    shutdown-on-sigint shutdown-on-sigterm shutdown-timeout slave-announce-ip
    slave-announce-port slave-ignore-maxmemory slave-lazy-flush slave-priority
    slave-read-only slave-serve-stale-data slaveof slowlog-log-slower-than slowlog-max-len
    socket-mark-id stop-writes-on-bgsave-error stream-node-max-bytes stream-node-max-entries
    supervised syslog-enabled syslog-facility syslog-ident tcp-backlog tcp-keepalive timeout
    tls-auth-clients tls-ca-cert-dir tls-ca-cert-file tls-cert-file tls-ciphers
    tls-ciphersuites tls-client-cert-file tls-client-key-file tls-client-key-file-pass
    tls-cluster tls-dh-params-file tls-key-file tls-key-file-pass tls-port
    tls-prefer-server-ciphers tls-protocols tls-replication tls-session-cache-size
    tls-session-cache-timeout tls-session-caching tracking-table-max-keys unixsocket
    unixsocketperm use-exit-on-panic user watchdog-period zset-max-listpack-entries
    zset-max-listpack-value zset-max-ziplist-entries zset-max-ziplist-value
""".split())

COMMANDS = frozenset("""
    acl acl|cat acl|deluser acl|dryrun acl|genpass acl|getuser acl|help acl|list acl|load
    acl|log acl|save acl|setuser acl|users acl|whoami append asking auth bgrewriteaof bgsave
    bitcount bitfield bitfield_ro bitop bitpos blmove blmpop blpop brpop brpoplpush bzmpop
    bzpopmax bzpopmin client client|caching client|getname client|getredir client|help
    client|id client|info client|kill client|list client|no-evict client|no-touch
    client|pause client|reply client|setinfo client|setname client|tracking
    client|trackinginfo client|unblock client|unpause cluster cluster|addslots
    cluster|addslotsrange cluster|bumpepoch cluster|count-failure-reports
    cluster|countkeysinslot cluster|delslots cluster|delslotsrange cluster|failover
    cluster|flushslots cluster|forget cluster|getkeysinslot cluster|help cluster|info
    cluster|keyslot cluster|links cluster|meet cluster|myid cluster|myshardid cluster|nodes
    cluster|replicas cluster|replicate cluster|reset cluster|saveconfig
    cluster|set-config-epoch cluster|setslot cluster|shards cluster|slaves cluster|slots
    command command|count command|docs command|getkeys command|getkeysandflags command|help
    command|info command|list config config|get config|help config|resetstat config|rewrite
    config|set copy dbsize debug decr decrby del discard dump echo eval eval_ro evalsha
    evalsha_ro exec exists expire expireat expiretime failover fcall fcall_ro flushall
    flushdb function function|delete function|dump function|flush function|help
    function|kill function|list function|load function|restore function|stats geoadd geodist
    geohash geopos georadius georadius_ro georadiusbymember georadiusbymember_ro geosearch
    geosearchstore get getbit getdel getex getrange getset hdel hello hexists hexpire
    hexpireat hexpiretime hget hgetall hincrby hincrbyfloat hkeys hlen hmget hmset hpersist
    hpexpire hpexpireat hpexpiretime hpttl hrandfield hscan hset hsetnx hstrlen httl hvals
    incr incrby incrbyfloat info keys lastsave latency latency|doctor latency|graph
    latency|help latency|histogram latency|history latency|latest latency|reset lcs lindex
    linsert llen lmove lmpop lolwut lpop lpos lpush lpushx lrange lrem lset ltrim memory
    memory|doctor memory|help memory|malloc-stats memory|purge memory|stats memory|usage
    mget migrate module module|help module|list module|load module|loadex module|unload
    monitor move mset msetnx multi object object|encoding object|freq object|help
    object|idletime object|refcount persist pexpire pexpireat pexpiretime pfadd pfcount
    pfdebug pfmerge pfselftest ping psetex psubscribe psync pttl publish pubsub
    pubsub|channels pubsub|help pubsub|numpat pubsub|numsub pubsub|shardchannels
    pubsub|shardnumsub punsubscribe quit randomkey readonly readwrite rename renamenx
    replconf replicaof reset restore restore-asking role rpop rpoplpush rpush rpushx sadd
    save scan scard script script|debug script|exists script|flush script|help script|kill
    script|load sdiff sdiffstore select set setbit setex setnx setrange shutdown sinter
    sintercard sinterstore sismember slaveof slowlog slowlog|get slowlog|help slowlog|len
    slowlog|reset smembers smismember smove sort sort_ro spop spublish srandmember srem
    sscan ssubscribe strlen subscribe substr sunion sunionstore sunsubscribe swapdb sync
    time touch ttl type unlink unsubscribe unwatch wait waitaof watch xack xadd xautoclaim
    xclaim xdel xgroup xgroup|create xgroup|createconsumer xgroup|delconsumer xgroup|destroy
    xgroup|help xgroup|setid xinfo xinfo|consumers xinfo|groups xinfo|help xinfo|stream xlen
    xpending xrange xread xreadgroup xrevrange xsetid xtrim zadd zcard zcount zdiff
    zdiffstore zincrby zinter zintercard zinterstore zlexcount zmpop zmscore zpopmax zpopmin
    zrandmember zrange zrangebylex zrangebyscore zrangestore zrank zrem zremrangebylex
    zremrangebyrank zremrangebyscore zrevrange zrevrangebylex zrevrangebyscore zrevrank
    zscan zscore zunion zunionstore
""".split())
