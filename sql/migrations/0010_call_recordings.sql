-- A call's audio recordings, when RECORD_CALLS is on (agent/call/recording.py): the names of
-- its files in RECORDINGS_DIR, one per agent job that served the call (a resumed call has one
-- more). A name is random (32 hex digits and .ogg), so it says nothing about the call or the
-- caller and cannot point outside the folder. The purge deletes the files and empties this
-- with the call's transcript (core/services/retention.py).
alter table calls
    add column recordings text[] not null default '{}'
        check (array_to_string(recordings, ',') ~ '^([0-9a-f]{32}\.ogg(,|$))*$');
