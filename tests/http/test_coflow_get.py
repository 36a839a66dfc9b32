#!/usr/bin/env python3
"""coflow-get end to end: downloads from Python's http.server over a folder
of generated files, safe file names, no overwrite without --force, a failed
URL that does not stop the others, Ctrl-C removing partial files (in both
shapes), the progress display on a terminal, --help and usage errors.

usage: test_coflow_get.py PATH/TO/coflow-get

Servers are started on ports the kernel picks and waited for by reading the
line they print once listening; nothing here sleeps to wait for work, and
every wait has a deadline.
"""
import os
import pty
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import unittest

GET = None
DEADLINE = 30  # seconds any single wait may take before the test fails


def pattern(size, seed):
    return bytes((i * 31 + seed * 7 + i // 251) & 0xFF for i in range(size))


def wait_line(stream, regex):
    """Reads lines of stream until one matches; returns the match."""
    buf = b""
    while True:
        ready, _, _ = select.select([stream], [], [], DEADLINE)
        if not ready:
            raise AssertionError("no line matching %r in %r" % (regex, buf))
        chunk = os.read(stream.fileno(), 4096)
        if not chunk:
            raise AssertionError("ended before %r: %r" % (regex, buf))
        buf += chunk
        m = re.search(regex, buf.decode(errors="replace"))
        if m:
            return m


class StallServer:
    """Answers each request with a Content-Length of 1 MB, sends 1000
    bytes of it, says so on `sent`, then holds the connection open."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.sent = threading.Semaphore(0)
        self.conns = []
        self.stop = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            data = b""
            while b"\r\n\r\n" not in data:
                got = conn.recv(4096)
                if not got:
                    break
                data += got
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n"
                         + b"x" * 1000)
            self.sent.release()

    def close(self):
        self.stop = True
        self.sock.close()
        for c in self.conns:
            c.close()


class CoflowGet(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix="http-get-test-")
        cls.srv_dir = os.path.join(cls.root, "srv")
        os.mkdir(cls.srv_dir)
        cls.files = {"cat.png": pattern(65536, 1), "dog.jpg": pattern(1000, 2),
                     "a b.txt": pattern(10, 3), "pwned": b"outside?",
                     "index.html": b"<p>index</p>", "big.bin":
                     pattern(400000, 4)}
        for name, data in cls.files.items():
            with open(os.path.join(cls.srv_dir, name), "wb") as f:
                f.write(data)
        cls.http = subprocess.Popen(
            [sys.executable, "-u", "-m", "http.server", "0", "--bind",
             "127.0.0.1"], cwd=cls.srv_dir, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT)
        m = wait_line(cls.http.stdout, r" port (\d+) ")
        cls.base = "http://127.0.0.1:%s/" % m.group(1)
        # http.server logs every request on its output: keep reading it so
        # that a full pipe never stops it.
        threading.Thread(target=cls.http.stdout.read, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.http.terminate()
        cls.http.wait(DEADLINE)
        shutil.rmtree(cls.root)

    def setUp(self):
        self.out = tempfile.mkdtemp(dir=self.root)

    def run_get(self, *args):
        return subprocess.run([GET, *args], capture_output=True, text=True,
                              timeout=DEADLINE)

    def read(self, name):
        with open(os.path.join(self.out, name), "rb") as f:
            return f.read()

    def test_downloads_every_url(self):
        names = ["cat.png", "dog.jpg", "big.bin"]
        for extra in ([], ["--threads"]):
            out = tempfile.mkdtemp(dir=self.root)
            r = self.run_get("-j", "2", "-o", out, *extra,
                             *[self.base + n for n in names])
            self.assertEqual(r.returncode, 0, r.stderr)
            for n in names:
                with open(os.path.join(out, n), "rb") as f:
                    self.assertEqual(f.read(), self.files[n], n)
                self.assertIn("ok %s%s -> %s/%s" % (self.base, n, out, n),
                              r.stdout)

    def test_names_are_made_safe(self):
        r = self.run_get("-o", self.out, self.base + "a%20b.txt",
                         self.base + "..%2F..%2Fpwned", self.base)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.read("a b.txt"), self.files["a b.txt"])
        # "../../pwned" lost its leading dots and slashes: still inside.
        self.assertEqual(self.read("_.._pwned"), b"outside?")
        self.assertFalse(os.path.exists(os.path.join(self.root, "pwned")))
        self.assertFalse(os.path.exists(os.path.join(os.path.dirname(
            self.root), "pwned")))
        self.assertEqual(self.read("index.html"), self.files["index.html"])
        self.assertEqual(sorted(os.listdir(self.out)),
                         ["_.._pwned", "a b.txt", "index.html"])

    def test_no_overwrite_without_force(self):
        with open(os.path.join(self.out, "dog.jpg"), "wb") as f:
            f.write(b"mine")
        r = self.run_get("-o", self.out, self.base + "dog.jpg")
        self.assertEqual(r.returncode, 1)
        self.assertIn("--force", r.stderr)
        self.assertEqual(self.read("dog.jpg"), b"mine")
        r = self.run_get("--force", "-o", self.out, self.base + "dog.jpg")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.read("dog.jpg"), self.files["dog.jpg"])

    def test_failures_reported_others_go_on(self):
        for extra in ([], ["--threads"]):
            out = tempfile.mkdtemp(dir=self.root)
            refused = socket.socket()
            refused.bind(("127.0.0.1", 0))  # bound, never listening
            bad = ["http://127.0.0.1:%d/x.png" % refused.getsockname()[1],
                   self.base + "missing.png", "http://no-such-host.invalid/y",
                   "ftp://h/z", "http://[::1/"]
            r = self.run_get("-o", out, *extra, *bad, self.base + "cat.png")
            refused.close()
            self.assertEqual(r.returncode, 1, r.stderr)
            for url in bad:
                self.assertIn("failed " + url, r.stderr)
            self.assertIn("404", r.stderr)
            with open(os.path.join(out, "cat.png"), "rb") as f:
                self.assertEqual(f.read(), self.files["cat.png"])
            # Nothing was left of the failed ones.
            self.assertEqual(os.listdir(out), ["cat.png"])

    def test_body_limit_and_timeout(self):
        r = self.run_get("-m", "1k", "-o", self.out, self.base + "big.bin",
                         self.base + "dog.jpg")
        self.assertEqual(r.returncode, 1)
        self.assertIn("failed %sbig.bin" % self.base, r.stderr)
        self.assertEqual(sorted(os.listdir(self.out)), ["dog.jpg"])
        stall = StallServer()
        try:
            url = "http://127.0.0.1:%d/slow.bin" % stall.port
            for extra in ([], ["--threads"]):
                out = tempfile.mkdtemp(dir=self.root)
                r = self.run_get("-t", "0.5", "-o", out, *extra, url)
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertIn("timed out", r.stderr)
                self.assertEqual(os.listdir(out), [])
        finally:
            stall.close()

    def test_ctrl_c_removes_partial_files(self):
        for extra in ([], ["--threads"]):
            out = tempfile.mkdtemp(dir=self.root)
            stall = StallServer()
            url = "http://127.0.0.1:%d/partial.bin" % stall.port
            p = subprocess.Popen([GET, "-o", out, *extra, url,
                                  self.base + "cat.png"],
                                 stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
            try:
                # The server has had the request, so the file is open
                # (coflow-get opens it before asking) and has been sent a
                # first part.
                self.assertTrue(stall.sent.acquire(timeout=DEADLINE))
                self.assertTrue(os.path.exists(os.path.join(out,
                                                            "partial.bin")))
                p.send_signal(signal.SIGINT)
                _, err = p.communicate(timeout=DEADLINE)
            finally:
                if p.poll() is None:
                    p.kill()
                stall.close()
            self.assertEqual(p.returncode, 130, err)
            self.assertIn("interrupted", err)
            self.assertFalse(os.path.exists(os.path.join(out, "partial.bin")),
                             extra)

    def test_progress_on_a_terminal(self):
        master, slave = pty.openpty()
        p = subprocess.Popen([GET, "-o", self.out, self.base + "big.bin"],
                             stdin=slave, stdout=slave, stderr=slave)
        os.close(slave)
        text = b""
        while True:
            ready, _, _ = select.select([master], [], [], DEADLINE)
            if not ready:
                break
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the pty closes when the program ends
                break
            if not chunk:
                break
            text += chunk
        p.wait(DEADLINE)
        os.close(master)
        self.assertEqual(p.returncode, 0, text)
        text = text.decode(errors="replace")
        self.assertIn("total: 1 of 1 done", text)
        self.assertIn("ok %sbig.bin" % self.base, text)
        self.assertEqual(self.read("big.bin"), self.files["big.bin"])

    def test_https_with_a_test_authority(self):
        if shutil.which("openssl") is None:
            self.skipTest("no openssl command")
        d = tempfile.mkdtemp(dir=self.root)
        run = lambda *a: subprocess.run(a, cwd=d, capture_output=True,
                                        check=True, timeout=DEADLINE)
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
            "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj",
            "/CN=coflow-get test CA")
        run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout",
            "key.pem", "-out", "cert.csr", "-subj", "/CN=localhost")
        with open(os.path.join(d, "ext"), "w") as f:
            f.write("subjectAltName=DNS:localhost\n")
        run("openssl", "x509", "-req", "-in", "cert.csr", "-CA", "ca.pem",
            "-CAkey", "ca.key", "-CAcreateserial", "-out", "cert.pem",
            "-days", "2", "-extfile", "ext")
        srv = subprocess.Popen(
            ["openssl", "s_server", "-accept", "127.0.0.1:0", "-WWW",
             "-cert", os.path.join(d, "cert.pem"), "-key",
             os.path.join(d, "key.pem")], cwd=self.srv_dir,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            m = wait_line(srv.stdout, r"ACCEPT 127\.0\.0\.1:(\d+)\n")
            url = "https://localhost:%s/dog.jpg" % m.group(1)
            r = self.run_get("-o", self.out, url)
            if "no TLS" in r.stderr:
                self.skipTest("coflow built without TLS")
            # Not trusted by the system: refused, nothing left behind.
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn("failed " + url, r.stderr)
            self.assertEqual(os.listdir(self.out), [])
            r = self.run_get("--cacert", os.path.join(d, "ca.pem"), "-o",
                             self.out, url)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(self.read("dog.jpg"), self.files["dog.jpg"])
        finally:
            srv.terminate()
            srv.wait(DEADLINE)
            srv.stdout.close()

    def test_help_and_usage_errors(self):
        r = self.run_get("--help")
        self.assertEqual(r.returncode, 0)
        for opt in ("-j", "-o", "--force", "--timeout", "--max-size",
                    "--redirects", "--quiet", "--threads", "--no-progress",
                    "--cacert",
                    "exit status", "Ctrl-C"):
            self.assertIn(opt, r.stdout)
        for args in ([], ["-j", "0", "http://h/"], ["-j"], ["--bogus", "x"],
                     ["-m", "lots", "http://h/"], ["-o", "/no/such/dir",
                                                    "http://h/"],
                     ["--cacert", "/no/such/ca.pem", "http://h/"]):
            r = self.run_get(*args)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn("coflow-get", r.stderr)


if __name__ == "__main__":
    GET = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
