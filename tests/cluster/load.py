#!/usr/bin/python3
"""tests/cluster/load.py -- signed-in browsers hitting the cluster.

  load.py run --url URL --ca CA --session FILE [--workers N] [--seconds S]
              [--prefix P] [--post-share F] --out LOG
      W workers, each one keep-alive HTTPS connection to HAProxy, for S
      seconds: GET /tasks (a page view: web app, API, PostgreSQL) and
      POST /tasks with a unique text.  Every request is one JSON line in
      LOG: start and end time, method, path, status, Retry-After, the text
      of a write, an error.  SESSION holds "COOKIE-NAME=VALUE CSRF" lines
      (one signed-in browser each; workers take them in turn).
  load.py steps --url URL --ca CA --session FILE --count N --prefix P --out LOG
      N sequential requests of one browser: page views, adds, marking
      done and deleting (ids taken from the page); the expected final
      texts and done flags are written to LOG.expect.
  load.py check --log LOG --db FILE [--window-start T --window-end T]
      compares LOG with FILE (one "text<TAB>count" line per row whose text
      starts with the prefix) and prints a JSON verdict.
"""
import argparse
import http.client
import json
import random
import re
import ssl
import sys
import threading
import time
import urllib.parse


def connect(url, ca, timeout):
    u = urllib.parse.urlsplit(url)
    ctx = ssl.create_default_context(cafile=ca)
    return http.client.HTTPSConnection(u.hostname, u.port or 443,
                                       context=ctx, timeout=timeout)


def request(conn, method, path, cookie, body=None):
    headers = {"Cookie": cookie, "Connection": "keep-alive"}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read()
    return r.status, r.getheader("Location") or "", \
        r.getheader("Retry-After") or "", data


def sessions(path):
    out = []
    with open(path) as f:
        for line in f:
            if line.strip():
                cookie, csrf = line.split()
                out.append((cookie, csrf))
    return out


def run(a):
    sess = sessions(a.session)
    lock = threading.Lock()
    log = open(a.out, "a")
    end = time.time() + a.seconds

    def worker(w):
        cookie, csrf = sess[w % len(sess)]
        conn = connect(a.url, a.ca, a.timeout)
        rnd = random.Random(w)
        n = 0
        while time.time() < end:
            n += 1
            rec = {"w": w, "t0": time.time()}
            if rnd.random() < a.post_share:
                text = "%s-w%d-%d" % (a.prefix, w, n)
                rec.update(m="POST", p="/tasks", text=text)
                body = urllib.parse.urlencode({"csrf": csrf, "text": text})
            else:
                rec.update(m="GET", p="/tasks")
                body = None
            try:
                st, loc, ra, data = request(conn, rec["m"], rec["p"], cookie,
                                            body)
                rec.update(s=st, loc=loc, ra=ra)
                if st == 200 and rec["m"] == "GET" and b'name="csrf"' not in data:
                    rec["err"] = "page without csrf (signed out?)"
            except Exception as e:  # a failure the client sees
                rec.update(s=0, err="%s: %s" % (type(e).__name__, e))
                conn.close()
                conn = connect(a.url, a.ca, a.timeout)
            rec["t1"] = time.time()
            with lock:
                log.write(json.dumps(rec) + "\n")
            if a.pause:
                time.sleep(a.pause)
        conn.close()

    ts = [threading.Thread(target=worker, args=(w,)) for w in range(a.workers)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    log.close()


def steps(a):
    cookie, csrf = sessions(a.session)[0]
    conn = connect(a.url, a.ca, a.timeout)
    log = open(a.out, "w")
    expect = {}
    ids = []
    rnd = random.Random(1)
    bad = 0
    for n in range(a.count):
        r = rnd.random()
        if r < 0.7 and r >= 0.4:
            text = "%s-%d" % (a.prefix, n)
            m, p = "POST", "/tasks"
            body = urllib.parse.urlencode({"csrf": csrf, "text": text})
        elif r < 0.4 or not ids:
            m, p, body = "GET", "/tasks", None
        elif r < 0.85:
            tid, text = ids[rnd.randrange(len(ids))]
            m, p = "POST", "/tasks/%s/done" % tid
            body = urllib.parse.urlencode({"csrf": csrf, "done": "true"})
        else:
            tid, text = ids.pop(rnd.randrange(len(ids)))
            m, p = "POST", "/tasks/%s/delete" % tid
            body = urllib.parse.urlencode({"csrf": csrf})
        try:
            st, loc, ra, data = request(conn, m, p, cookie, body)
        except Exception as e:
            st, loc, data = 0, str(e), b""
            conn.close()
            conn = connect(a.url, a.ca, a.timeout)
        want = 200 if m == "GET" else 303
        # Back to the list; a delete adds its notice (?notice=deleted).
        ok = st == want and (m == "GET" or
                             loc.split("?")[0].endswith("/tasks"))
        if not ok:
            bad += 1
        log.write(json.dumps({"m": m, "p": p, "s": st, "loc": loc,
                              "ok": ok}) + "\n")
        if m == "POST" and p == "/tasks" and ok:
            expect[text] = "f"
        elif p.endswith("/done") and ok:
            expect[text] = "t"
        elif p.endswith("/delete") and ok:
            del expect[text]
        if m == "GET" and st == 200:
            # ids and texts of this prefix on the page: each row has
            # the text, then the done form naming the id.
            page = data.decode()
            ids = []
            for row in re.finditer(r'<span class="text">(%s-\d+)</span>'
                                   r'.*?action="/tasks/(\d+)/done"'
                                   % re.escape(a.prefix), page, re.S):
                ids.append((row.group(2), row.group(1)))
    log.close()
    with open(a.out + ".expect", "w") as f:
        for t in sorted(expect):
            f.write("%s\t%s\n" % (t, expect[t]))
    print(json.dumps({"requests": a.count, "bad": bad,
                      "tasks": len(expect)}))


def check(a):
    recs = [json.loads(l) for l in open(a.log) if l.strip()]
    rows = {}
    for line in open(a.db):
        line = line.rstrip("\n")
        if line:
            t, c = line.split("\t")
            rows[t] = int(c)
    v = {"requests": len(recs)}
    gets = [r for r in recs if r["m"] == "GET"]
    posts = [r for r in recs if r["m"] == "POST"]
    v["gets"] = len(gets)
    v["posts"] = len(posts)
    v["get_failures"] = sum(1 for r in gets if r["s"] != 200 or r.get("err"))
    v["get_non503_failures"] = sum(1 for r in gets if r["s"] not in (200, 503)
                                   or (r["s"] == 200 and r.get("err")))
    acked = [r for r in posts if r["s"] == 303 and r["loc"].endswith("/tasks")]
    v["acked"] = len(acked)
    v["acked_lost"] = [r["text"] for r in acked if rows.get(r["text"], 0) < 1]
    v["applied_twice"] = [t for t, c in rows.items() if c > 1]
    v["unacked_applied"] = sum(1 for r in posts if r not in acked
                               and rows.get(r["text"], 0) > 0)
    v["status"] = {}
    for r in recs:
        k = str(r["s"])
        v["status"][k] = v["status"].get(k, 0) + 1
    v["5xx_not_503"] = sum(1 for r in recs if r["s"] >= 500 and r["s"] != 503)
    v["503_without_retry_after"] = sum(1 for r in recs if r["s"] == 503
                                       and not r.get("ra"))
    v["errors"] = sorted(set(r["err"] for r in recs if r.get("err")))[:5]
    v["client_errors"] = sum(1 for r in recs if r["s"] == 0)
    v["max_latency_s"] = round(max((r["t1"] - r["t0"] for r in recs),
                                   default=0), 3)
    bad = sorted((r["t0"], r["t1"]) for r in recs
                 if r["s"] == 0 or r["s"] >= 500)
    v["unavailable_s"] = round(bad[-1][1] - bad[0][0], 3) if bad else 0
    v["first_bad"] = bad[0][0] if bad else 0
    v["last_bad"] = bad[-1][1] if bad else 0
    ok = [r for r in recs if r["s"] in (200, 303)]
    v["last_ok"] = max((r["t1"] for r in ok), default=0)
    print(json.dumps(v))


def main():
    ap = argparse.ArgumentParser()
    sp = ap.add_subparsers(dest="cmd", required=True)
    for name in ("run", "steps"):
        p = sp.add_parser(name)
        p.add_argument("--url", required=True)
        p.add_argument("--ca", required=True)
        p.add_argument("--session", required=True)
        p.add_argument("--out", required=True)
        p.add_argument("--prefix", required=True)
        p.add_argument("--timeout", type=float, default=15)
    p = sp.choices["run"]
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--seconds", type=float, default=15)
    p.add_argument("--post-share", type=float, default=0.3)
    p.add_argument("--pause", type=float, default=0.0)
    sp.choices["steps"].add_argument("--count", type=int, default=100)
    p = sp.add_parser("check")
    p.add_argument("--log", required=True)
    p.add_argument("--db", required=True)
    a = ap.parse_args()
    {"run": run, "steps": steps, "check": check}[a.cmd](a)


if __name__ == "__main__":
    main()
