"""Helpers for the tests only, in plain modules (the conftest.py files hold fixtures and hooks,
and nothing imports them). What the benchmarks use as well is in testkit/.

- `days`: the fixed clock (NOW, SATURDAY, DINNER) and days picked by the restaurant's rules;
- `restaurants`: the sample restaurant's text and a restaurant where it is midday now;
- `database`: the reset between tests, tests/sql/inspect.sql, freezing a server's processes;
- `retention`: visits dated from the real today, for the purge;
- `api`: the app in-process and a client of it, with the test key;
- `receiver`: a real HTTP receiver for staff notices;
- `calls`: scripted calls to the real agents in-process;
- `e2e_models`, `e2e_turns`: the stand-in models the end-to-end workers load by name
  (SPEECH_MODELS_FACTORY=tests.support.e2e_models:booking_call, ...);
- `stacks`: the end-to-end stacks' shapes and the tests' defaults for testkit.stack;
- `phone`: Redis, livekit-sip and baresip as the phone;
- `browser`: Chromium and axe-core for the browser tests;
- `run_command`: `receptionist up` as a child process.
"""
