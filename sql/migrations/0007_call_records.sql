-- One record per call (web or phone), written as the call goes (agent/hooks/call_record.py):
-- what the caller and the agent said, the tools the agent ran, and what the call did. A
-- resumed call (a new agent in the same room) continues its record; the call watch marks the
-- record of a call whose agent's job died (api/call_watch.py).
create table calls (
    id              bigint generated always as identity primary key,
    -- The LiveKit room: the server names it, once per call.
    session_id      text not null unique,
    channel         text not null check (channel in ('web', 'phone')),
    -- The caller ID of a phone call (E.164); null for the web or a withheld number.
    caller_number   text check (caller_number ~ '^\+[1-9][0-9]{6,14}$'),
    started_at      timestamptz not null default now(),
    ended_at        timestamptz,
    -- The agents the call went through, in order of first visit.
    agents          text[] not null default '{}',
    -- Confirmation codes of the bookings the call made, changed and cancelled.
    booked          text[] not null default '{}',
    changed         text[] not null default '{}',
    cancelled       text[] not null default '{}',
    covers_booked   integer not null default 0 check (covers_booked >= 0),
    questions       integer not null default 0 check (questions >= 0),
    callbacks       integer not null default 0 check (callbacks >= 0),
    transferred     boolean not null default false,
    caller_hung_up  boolean not null default false,
    -- What failed and ended the call ('llm', 'stt', 'tts', 'agent'); null if nothing did.
    failed          text,
    -- When the call watch found the call's agent gone; cleared when a new agent resumes it.
    dropped_at      timestamptz,
    -- How often the call lost its agent, and how often a new agent picked it up again.
    drops           integer not null default 0 check (drops >= 0),
    resumptions     integer not null default 0 check (resumptions >= 0),
    -- Seconds from the caller's end of turn to the agent's reply, one per reply.
    reply_delays    double precision[] not null default '{}',
    transcript_removed_at timestamptz,
    anonymised_at   timestamptz,
    constraint calls_number_until_anonymised check (anonymised_at is null or caller_number is null),
    -- One outcome for the list, derived from the facts so it can never disagree with them.
    outcome text generated always as (
        case
            when ended_at is null and dropped_at is not null then 'dropped'
            when ended_at is null then 'in_progress'
            when failed is not null then 'failed'
            when transferred then 'transferred'
            when callbacks > 0 then 'callback'
            when cardinality(booked) > 0 then 'booked'
            when cardinality(changed) > 0 then 'changed'
            when cardinality(cancelled) > 0 then 'cancelled'
            when questions > 0 then 'answered'
            when caller_hung_up then 'hung_up'
            else 'no_action'
        end
    ) stored
);

create index calls_by_start on calls (started_at desc);

-- A call as staff see it: its length and its reply delays summed up.
create view call_summaries as
select c.*,
       extract(epoch from c.ended_at - c.started_at)::double precision as duration_seconds,
       (select percentile_cont(0.5) within group (order by d) from unnest(c.reply_delays) d)
           as reply_delay_p50,
       (select max(d) from unnest(c.reply_delays) d) as reply_delay_worst
from calls c;
create index calls_to_purge on calls (started_at) where anonymised_at is null;

-- Both sides of the conversation and the tools run, in the order they happened.
create table call_lines (
    id       bigint generated always as identity primary key,
    call_id  bigint not null references calls (id) on delete cascade,
    at       timestamptz not null,
    speaker  text not null check (speaker in ('caller', 'agent', 'tool')),
    -- The agent speaking or running the tool.
    agent    text,
    text     text not null
);

create index call_lines_of_call on call_lines (call_id, id);
