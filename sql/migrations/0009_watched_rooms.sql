-- The call watch's rooms (api/call_watch.py), per watch (one LiveKit server and agent name).
-- LiveKit's webhooks reach whichever API process the load balancer picks; that process only
-- marks the room due here. The one process leading the watch looks at due rooms, and keeps
-- each room's deadlines here, so a leader that dies leaves them to the next one.
create table watched_rooms (
    watch            text not null,
    room             text not null,
    -- Whether this deployment's agent answers the room; null until the leader has looked.
    ours             boolean,
    -- When the leader should look at the room next; null: when an event or the sweep says.
    due_at           timestamptz,
    -- Since when the room has had a caller and no live agent; null: it has one, or no caller.
    agentless_since  timestamptz,
    dispatched_at    timestamptz,
    told_at          timestamptz,
    -- Phone callers already put through to staff or hung up on.
    released         text[] not null default '{}',
    primary key (watch, room)
);

create index watched_rooms_due on watched_rooms (watch, due_at) where due_at is not null;

-- When the leader last listed the LiveKit server's rooms (the sweep); null: its last try failed.
-- The rooms above count for the cap on calls only while this is recent: rooms a server lost
-- while nobody could reach it must not keep callers out.
create table watch_sweeps (
    watch     text primary key,
    swept_at  timestamptz
);
