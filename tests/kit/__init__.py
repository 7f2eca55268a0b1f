"""The shared test kit: races, websocket clients, schema checks, NATS, processes, deployments.

- ``logs``: a small real race, commentary of any length, the Tokyo final, scenario sources.
- ``wire``: a recording client (every frame checked against the AsyncAPI schemas) and a raw one.
- ``schemas``: those checks.
- ``protocol``: the session protocol driven without sockets, and what each subscriber got.
- ``records``: log records, and log backends opened over the same storage.
- ``nats``: a NATS JetStream server for the tests.
- ``procs``: ``racefeed`` processes (director, gateways) and clients that record.
- ``deployments``: the same racefeed in each of its deployments, for the contract suite.
"""
