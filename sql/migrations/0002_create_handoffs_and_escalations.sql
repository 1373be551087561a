-- One row per agent handoff in a call, for analytics (which routes callers take, and how many
-- reservation handoffs end in a booking).
create table handoffs (
    id          bigint generated always as identity primary key,
    session_id  text not null,
    from_agent  text not null,
    to_agent    text not null,
    -- What the caller had already said, as extracted at the handoff (phone numbers masked).
    entities    jsonb not null default '{}'::jsonb check (jsonb_typeof(entities) = 'object'),
    created_at  timestamptz not null default now()
);

create index handoffs_by_route on handoffs (from_agent, to_agent);
create index handoffs_by_session on handoffs (session_id);

-- Callers the agent could not help: staff call them back.
create table escalations (
    id            bigint generated always as identity primary key,
    name          text not null check (length(btrim(name)) between 1 and 100),
    phone_number  text not null check (phone_number ~ '^\+[1-9][0-9]{6,14}$'),
    reason        text not null check (length(btrim(reason)) between 1 and 200),
    summary       text not null check (length(summary) <= 2000),
    urgency       text not null default 'normal' check (urgency in ('low', 'normal', 'high')),
    status        text not null default 'open' check (status in ('open', 'in_progress', 'resolved')),
    session_id    text,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now()
);

create index escalations_open on escalations (created_at) where status <> 'resolved';

create trigger escalations_set_updated_at
    before update on escalations
    for each row execute function set_updated_at();
