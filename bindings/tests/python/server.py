"""A real `danbao-server` process on a free loopback port, with its own database directory.

The binary is DANBAO_SERVER_BIN, or the workspace's target/debug/danbao-server. The flow
tests need it: a missing binary is a failure that says how to build it, never a skip.
"""

import os
import pathlib
import socket
import subprocess
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[3]
OPERATOR_TOKEN = "python-flow-tests-operator-token"
# How long the server may take to listen, and how many ports to try (one can be taken
# between probing it and the server binding it).
START_LIMIT_SECONDS = 20
PORT_ATTEMPTS = 5


def server_binary() -> pathlib.Path:
    """The server binary to run; raises if it is not there."""
    configured = os.environ.get("DANBAO_SERVER_BIN")
    binary = pathlib.Path(configured) if configured else ROOT / "target/debug/danbao-server"
    if not binary.is_file():
        raise RuntimeError(
            f"{binary} is missing: build it with `cargo build -p danbao-server` "
            "(or point DANBAO_SERVER_BIN at a built danbao-server)"
        )
    return binary


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """One server process; `stop()` kills it and removes its database."""

    def __init__(self):
        binary = server_binary()
        self._dir = tempfile.TemporaryDirectory(prefix="danbao-server-")
        self.process = None
        for _ in range(PORT_ATTEMPTS):
            port = free_port()
            process = self._spawn(binary, port)
            if process is not None:
                self.process = process
                self.port = port
                self.url = f"http://127.0.0.1:{port}"
                self.operator_token = OPERATOR_TOKEN
                return
        self._dir.cleanup()
        raise RuntimeError(
            f"{binary} did not listen on a loopback port within {START_LIMIT_SECONDS} s "
            f"({PORT_ATTEMPTS} attempts)"
        )

    def _spawn(self, binary: pathlib.Path, port: int):
        """Starts the server on `port`; None if it exits or does not listen in time."""
        env = dict(
            os.environ,
            DANBAO_OPERATOR_TOKEN=OPERATOR_TOKEN,
            DANBAO_SANDBOX="true",
            # Many sign-ups and payments from one address in seconds: no rate limits here.
            DANBAO_RATE_LIMIT="1000000",
            DANBAO_RATE_LIMIT_ADDRESS="1000000",
            DANBAO_SIGN_UP_LIMIT="1000000",
            DANBAO_TIMER_INTERVAL_MS="100",
            RUST_LOG="warn",
        )
        process = subprocess.Popen(
            [
                str(binary),
                "--bind",
                f"127.0.0.1:{port}",
                "--db",
                str(pathlib.Path(self._dir.name) / "server.db"),
            ],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_LIMIT_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return None  # exited: most likely the port was taken
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return process
            except OSError:
                time.sleep(0.05)
        process.kill()
        process.wait()
        return None

    def stop(self):
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None
        self._dir.cleanup()
