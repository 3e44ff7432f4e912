"""What the tests share: servers to start (app, sandbox, redis-server, PostgreSQL), a raw
Socket.IO client, a fault-injecting proxy, fakes, the app database for unit tests, and the
browser's helpers. Test modules and conftest files import from here, never from each other."""
