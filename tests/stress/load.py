#!/usr/bin/python3
"""tests/stress/load.py -- mixed traffic for tests/stress/run, every answer
recorded.

  load.py run --url URL --tokens FILE --sessions FILE --seconds S --out LOG
              [--workers N] [--prefix P] [--pause SECONDS] [--timeout T]
      N workers for S seconds (or until the file --stop-file exists), each
      on one keep-alive connection (plain http).  Even workers use the API
      with a bearer token (one line of --tokens each): GET /api/tasks,
      POST /api/tasks, PATCH and DELETE of the tasks they created.  Odd
      workers are signed-in browsers (a "COOKIE CSRF TOKEN" line of
      --sessions each: the session, its csrf token, a bearer token of the
      same user): GET /tasks and POST /tasks (a form); beyond 40 tasks
      they delete their oldest through the API.  Every request is one JSON
      line in LOG: start and end time, what, status, Retry-After, the
      id and the text a write carried, an error when no answer came.  A
      request the server dropped unanswered on a kept-alive connection is
      sent once more on a new one, as browsers do.
  load.py check --log LOG --db FILE [--since T --until T] [--max-seconds X]
      [--ok-after T]
      FILE: "id<TAB>text" lines of every task whose text starts with the
      prefix, read from the database after the run.  Prints a JSON verdict:
      every write acknowledged with 2xx is there (PATCHed text, DELETEd
      row gone); no write answered with an error is; answers other than
      2xx/3xx are 503 with Retry-After; requests started after --ok-after
      all succeeded; none took longer than --max-seconds.  Latency
      figures (p50/p99/max, ms) of the requests in [--since, --until].
"""
import argparse
import http.client
import json
import os
import random
import sys
import threading
import time
import urllib.parse


def lines(path):
    with open(path) as f:
        return [l.strip() for l in f if l.strip()]


class Client:
    def __init__(self, url, timeout):
        u = urllib.parse.urlsplit(url)
        self.host, self.port, self.timeout = u.hostname, u.port or 80, timeout
        self.conn = None
        self.reused = False
        self.retried = 0

    def send(self, method, path, headers, body=None):
        try:
            return self.send1(method, path, headers, body)
        except (http.client.RemoteDisconnected, ConnectionResetError,
                BrokenPipeError):
            # The server closed a kept-alive connection as the request
            # left: nothing was answered, so send it again on a new
            # connection, as browsers do.  Not when the connection was new.
            if not self.reused:
                raise
            self.retried += 1
            return self.send1(method, path, headers, body)

    def send1(self, method, path, headers, body):
        self.reused = self.conn is not None
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port,
                                                   timeout=self.timeout)
        try:
            self.conn.request(method, path, body=body, headers=headers)
            r = self.conn.getresponse()
            data = r.read()
            if (r.getheader("Connection") or "").lower() == "close":
                self.conn.close()
                self.conn = None
            return r.status, r.getheader("Retry-After") or "", \
                r.getheader("Location") or "", data
        except Exception:
            self.conn.close()
            self.conn = None
            raise


def api_worker(a, w, token, log):
    c = Client(a.url, a.timeout)
    rnd = random.Random(w)
    mine = []           # ids of tasks this worker created (and not deleted)
    hdr = {"Authorization": "Bearer " + token}
    jhdr = dict(hdr, **{"Content-Type": "application/json"})
    n = 0
    while not log.done():
        n += 1
        r = rnd.random()
        rec = {"w": w, "k": "api"}
        if r < 0.4 or (r >= 0.7 and not mine):
            rec.update(m="GET", p="/api/tasks")
            args = ("GET", "/api/tasks", hdr)
        elif r < 0.7 and len(mine) < 400:
            text = "%s-a%d-%d" % (a.prefix, w, n)
            rec.update(m="POST", p="/api/tasks", text=text)
            args = ("POST", "/api/tasks", jhdr, json.dumps({"text": text}))
        elif r < 0.85:
            tid = mine[rnd.randrange(len(mine))]
            text = "%s-a%d-%d" % (a.prefix, w, n)
            rec.update(m="PATCH", p="/api/tasks/%d" % tid, id=tid, text=text)
            args = ("PATCH", rec["p"], jhdr, json.dumps({"text": text}))
        else:
            tid = mine.pop(rnd.randrange(len(mine)))
            rec.update(m="DELETE", p="/api/tasks/%d" % tid, id=tid)
            args = ("DELETE", rec["p"], hdr)
        rec["t0"] = time.time()
        try:
            st, ra, loc, data = c.send(*args)
            rec.update(s=st, ra=ra)
            if st >= 400 and st != 503:
                rec["body"] = data[:300].decode("utf-8", "replace")
            if rec["m"] == "POST" and st == 201:
                rec["id"] = json.loads(data)["id"]
                mine.append(rec["id"])
        except Exception as e:
            rec.update(s=0, err="%s: %s" % (type(e).__name__, e))
        rec["t1"] = time.time()
        if rec["m"] == "DELETE" and rec["s"] != 204:
            mine.append(rec["id"])      # still there (or unknown)
        log.write(rec)
        if a.pause:
            time.sleep(a.pause)


def web_worker(a, w, session, log):
    c = Client(a.url, a.timeout)
    rnd = random.Random(w)
    cookie, csrf, token = session.split()
    ahdr = {"Authorization": "Bearer " + token}
    acked = []          # texts this browser added, not yet deleted
    n = 0
    while not log.done():
        n += 1
        if len(acked) > 40:
            # Keep the user under the API's 500 tasks: delete the oldest
            # through the API (the same user, a minted token).
            web_cleanup(c, w, ahdr, acked, log)
            continue
        rec = {"w": w, "k": "web"}
        hdr = {"Cookie": cookie}
        if rnd.random() < 0.3:
            text = "%s-b%d-%d" % (a.prefix, w, n)
            rec.update(m="POST", p="/tasks", text=text)
            hdr["Content-Type"] = "application/x-www-form-urlencoded"
            args = ("POST", "/tasks", hdr,
                    urllib.parse.urlencode({"csrf": csrf, "text": text}))
        else:
            rec.update(m="GET", p="/tasks")
            args = ("GET", "/tasks", hdr)
        rec["t0"] = time.time()
        try:
            st, ra, loc, data = c.send(*args)
            rec.update(s=st, ra=ra, loc=loc)
            if st >= 400 and st != 503:
                rec["body"] = data[:300].decode("utf-8", "replace")
            if st == 200 and b'name="csrf"' not in data:
                rec["err"] = "page without a form (signed out?)"
            if rec["m"] == "POST" and st == 303 and \
                    not loc.split("?")[0].endswith("/tasks"):
                rec["err"] = "POST /tasks redirected to " + loc
        except Exception as e:
            rec.update(s=0, err="%s: %s" % (type(e).__name__, e))
        rec["t1"] = time.time()
        if rec["m"] == "POST" and rec["s"] == 303 and not rec.get("err"):
            acked.append(rec["text"])
        log.write(rec)
        if a.pause:
            time.sleep(a.pause)


def web_cleanup(c, w, ahdr, acked, log):
    text = acked[0]
    rec = {"w": w, "k": "webdel", "m": "GET", "p": "/api/tasks?q=",
           "t0": time.time()}
    tid = None
    try:
        st, ra, loc, data = c.send(
            "GET", "/api/tasks?limit=200&q=" + urllib.parse.quote(text), ahdr)
        rec.update(s=st, ra=ra)
        if st == 200:
            for t in json.loads(data)["tasks"]:
                if t["text"] == text:
                    tid = t["id"]
            if tid is None:
                rec["err"] = "acknowledged task not found: " + text
                acked.pop(0)
    except Exception as e:
        rec.update(s=0, err="%s: %s" % (type(e).__name__, e))
    rec["t1"] = time.time()
    log.write(rec)
    if tid is None:
        return
    rec = {"w": w, "k": "webdel", "m": "DELETE", "p": "/api/tasks/%d" % tid,
           "id": tid, "text": text, "t0": time.time()}
    try:
        st, ra, loc, data = c.send("DELETE", rec["p"], ahdr)
        rec.update(s=st, ra=ra)
        if st == 204:
            acked.pop(0)
    except Exception as e:
        rec.update(s=0, err="%s: %s" % (type(e).__name__, e))
    rec["t1"] = time.time()
    log.write(rec)


class Log:
    def __init__(self, a):
        self.f = open(a.out, "a")
        self.lock = threading.Lock()
        self.end = time.time() + a.seconds
        self.stop = a.stop_file

    def write(self, rec):
        with self.lock:
            self.f.write(json.dumps(rec) + "\n")
            self.f.flush()

    def done(self):
        return time.time() >= self.end or \
            (self.stop and os.path.exists(self.stop))


def run(a):
    tokens = lines(a.tokens)
    sessions = lines(a.sessions) if a.sessions else []
    log = Log(a)
    ts = []
    for w in range(a.workers):
        if w % 2 == 1 and sessions:
            t = threading.Thread(target=web_worker,
                                 args=(a, w, sessions[(w // 2) % len(sessions)], log))
        else:
            t = threading.Thread(target=api_worker,
                                 args=(a, w, tokens[(w // 2) % len(tokens)], log))
        ts.append(t)
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def pct(v, p):
    if not v:
        return 0.0
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * p / 100.0))]


def check(a):
    recs = [json.loads(l) for l in lines(a.log)]
    db = {}
    if a.db:
        for l in open(a.db):
            l = l.rstrip("\n")
            if l:
                i, t = l.split("\t", 1)
                db[int(i)] = t
    texts = set(db.values())
    v = {"requests": len(recs), "ok": 0, "r503": 0, "bad": 0, "noanswer": 0,
         "late_fail": 0, "slow": 0, "lost": 0, "ghost": 0, "undeleted": 0,
         "unsure": 0, "writes_ok": 0, "writes_err": 0}
    samples = []
    state = {}          # API task id -> expected text, None when deleted
    wrote = set()       # texts that must be in the table (web writes)
    forbidden = set()   # texts of writes answered with an error
    unsure = set()      # ids whose fate the client cannot know
    gone = set()        # web texts deleted through the API (204)
    first_bad = []
    for r in recs:
        s, dur = r.get("s", 0), r["t1"] - r["t0"]
        good = 200 <= s < 400 and not r.get("err")
        if good:
            v["ok"] += 1
        elif s == 503 and r.get("ra"):
            v["r503"] += 1
        elif s == 0:
            v["noanswer"] += 1
        else:
            v["bad"] += 1
            what = "%s %s %s %s" % (r["m"], r["p"], s, r.get("err", ""))
            if len(first_bad) < 3 and what not in first_bad:
                first_bad.append(what)
        if a.ok_after and r["t0"] >= a.ok_after and not good:
            v["late_fail"] += 1
        if a.max_seconds and dur > a.max_seconds:
            v["slow"] += 1
        if (not a.since or r["t0"] >= a.since) and \
                (not a.until or r["t1"] <= a.until):
            samples.append(dur * 1000.0)
        if r["m"] == "GET":
            continue
        acked = 200 <= s < 300 or (r["k"] == "web" and s == 303
                                   and not r.get("err"))
        answered_err = s >= 400 or (s in (301, 302, 303) and r.get("err"))
        if acked:
            v["writes_ok"] += 1
        elif answered_err:
            v["writes_err"] += 1
        if r["k"] == "web":
            if acked:
                wrote.add(r["text"])
            elif answered_err:
                forbidden.add(r["text"])
            continue
        if r["k"] == "webdel":
            if acked:
                wrote.discard(r["text"])
                gone.add(r["text"])
            continue
        if r["m"] == "POST":
            if acked:
                state[r["id"]] = r["text"]
            elif answered_err:
                forbidden.add(r["text"])
        elif r["m"] == "PATCH":
            if acked:
                state[r["id"]] = r["text"]
            elif answered_err:
                forbidden.add(r["text"])
            else:
                unsure.add(r["id"])
        elif r["m"] == "DELETE":
            if acked:
                state[r["id"]] = None
            elif not answered_err:
                unsure.add(r["id"])
    if a.db:
        for i, t in state.items():
            if i in unsure:
                v["unsure"] += 1
            elif t is None and i in db:
                v["undeleted"] += 1
            elif t is not None and db.get(i) != t:
                v["lost"] += 1
        v["lost"] += len(wrote - texts)
        v["ghost"] = len(forbidden & texts)
        v["undeleted"] += len(gone & texts)
    v["p50_ms"] = round(pct(samples, 50), 1)
    v["p99_ms"] = round(pct(samples, 99), 1)
    v["max_ms"] = round(max(samples), 1) if samples else 0.0
    v["max_all_ms"] = round(max([(r["t1"] - r["t0"]) * 1000 for r in recs]
                                or [0]), 1)
    v["first_bad"] = first_bad
    print(json.dumps(v))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--url", required=True)
    r.add_argument("--tokens", required=True)
    r.add_argument("--sessions")
    r.add_argument("--workers", type=int, default=8)
    r.add_argument("--seconds", type=float, default=10)
    r.add_argument("--stop-file")
    r.add_argument("--prefix", default="stress")
    r.add_argument("--pause", type=float, default=0)
    r.add_argument("--timeout", type=float, default=30)
    r.add_argument("--out", required=True)
    c = sub.add_parser("check")
    c.add_argument("--log", required=True)
    c.add_argument("--db")
    c.add_argument("--since", type=float, default=0)
    c.add_argument("--until", type=float, default=0)
    c.add_argument("--ok-after", type=float, default=0)
    c.add_argument("--max-seconds", type=float, default=0)
    a = p.parse_args()
    if a.cmd == "run":
        run(a)
    else:
        check(a)


if __name__ == "__main__":
    sys.exit(main())
