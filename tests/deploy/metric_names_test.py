#!/usr/bin/python3
"""Every metric the alert rules and the Grafana board name is one the binaries really export.

Starts `levain training` (on a real RabbitMQ, so the bus metrics exist) and `levain gateway` the
way the units do, trains a small job through the gateway with `levain train` (upload, job, live
watch), scrapes both /metrics, and fails listing each name in deploy/prometheus/levain-rules.yml
or deploy/grafana/levain.json that neither exports. The board's queries are also handed to
promtool, which parses PromQL the way Prometheus does.

Usage: metric_names_test.py --levain BIN --repo DIR --broker-dir DIR --promtool BIN --work DIR
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

import yaml

SECRET = "metric-names-test-secret-0123456789abcdef"
TENANT = "demo-bakery"
# Series Prometheus adds to every scrape itself; no binary exports them.
SYNTHETIC = {"up", "scrape_duration_seconds", "scrape_samples_scraped"}
SUFFIXES = {"histogram": ("_bucket", "_sum", "_count"), "summary": ("_sum", "_count")}
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or",
            "unless", "bool", "offset", "inf", "nan"}


def fail(msg):
    print(f"metric_names_test: {msg}", file=sys.stderr)
    sys.exit(1)


def metric_names(expr):
    """Metric names in a PromQL expression: what is left once strings, label matchers, ranges,
    grouping lists, offsets and variables are gone, minus function names and keywords."""
    e = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', "", expr)
    e = re.sub(r"\{[^}]*\}", "", e)
    e = re.sub(r"\[[^\]]*\]", "", e)
    e = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", e)
    e = re.sub(r"\boffset\s+\S+", "", e)
    e = re.sub(r"\$\{?\w+\}?", "", e)
    tokens = re.findall(r"(?<![\w.:$])([A-Za-z_:][\w:]*)(?![\w:])(?!\s*\()", e)
    return {t for t in tokens if t.lower() not in KEYWORDS}


def used_in_rules(path):
    doc = yaml.safe_load(open(path))
    used, recorded = {}, set()
    for group in doc["groups"]:
        for rule in group["rules"]:
            if "record" in rule:
                recorded.add(rule["record"])
            what = rule.get("alert") or rule.get("record")
            names = metric_names(rule["expr"])
            if not names:
                fail(f"found no metric name in {what}'s expr; the extraction is broken")
            for n in names:
                used.setdefault(n, set()).add(f"rule {what}")
    return used, recorded


def walk_panels(panels):
    for p in panels:
        yield p
        yield from walk_panels(p.get("panels", []))


def used_in_dashboard(path):
    board = json.load(open(path))
    used, exprs = {}, []
    for p in walk_panels(board["panels"]):
        for t in p.get("targets", []):
            names = metric_names(t["expr"])
            if not names:
                fail(f"found no metric name in panel '{p['title']}' query {t['refId']}")
            for n in names:
                used.setdefault(n, set()).add(f"panel '{p['title']}'")
            exprs.append((p["id"], t["refId"], t["expr"]))
    for v in board["templating"]["list"]:
        if v["type"] != "query":
            continue
        m = re.match(r"\s*label_values\(\s*([A-Za-z_:][\w:]*)", v["definition"])
        if not m:
            fail(f"variable {v['name']}: expected label_values(metric..., label)")
        used.setdefault(m.group(1), set()).add(f"variable ${v['name']}")
    return used, exprs


def check_dashboard_promql(promtool, exprs, work):
    """Grafana's variables stand in for values here; then promtool parses every query."""
    rules = []
    for pid, ref, expr in exprs:
        e = expr.replace("$__rate_interval", "5m").replace("$instance", ".*")
        e = e.replace("$gateway", ".*")
        if "$" in e:
            fail(f"panel {pid} query {ref} uses a variable the board does not define: {expr}")
        rules.append({"record": f"dashboard:panel{pid}_{ref}", "expr": e})
    path = os.path.join(work, "dashboard-queries.rules.yml")
    with open(path, "w") as f:
        yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}, f)
    try:
        out = subprocess.run([promtool, "check", "rules", path], capture_output=True, text=True)
    except FileNotFoundError:
        fail(f"promtool not found ({promtool}): run scripts/install-deps, then cmake again")
    if out.returncode != 0:
        fail(f"promtool refused the board's queries:\n{out.stdout}{out.stderr}")


def exported_families(text):
    families, samples = {}, set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(None, 3)
            families[name] = kind.strip()
        elif line and not line.startswith("#"):
            samples.add(re.match(r"[A-Za-z_:][\w:]*", line).group(0))
    return families, samples


def is_exported(name, families):
    if families.get(name) in ("counter", "gauge", "untyped", "summary"):
        return True
    for kind, suffixes in SUFFIXES.items():
        for s in suffixes:
            if name.endswith(s) and families.get(name[: -len(s)]) == kind:
                return True
    return False


class Process:
    """A levain process whose `levain: listening on HOST:PORT` line gives its address."""

    def __init__(self, name, argv, work):
        self.name = name
        self.log = os.path.join(work, f"{name}.log")
        self.proc = subprocess.Popen(argv, stdout=open(self.log, "w"), stderr=subprocess.STDOUT)
        self.address = None
        deadline = time.monotonic() + 120  # ASan start-up on a busy machine; a hang guard only
        while time.monotonic() < deadline:
            m = re.search(r"^levain: listening on (\S+)$", open(self.log).read(), re.M)
            if m:
                self.address = m.group(1)
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        fail(f"{name} did not say where it listens:\n{open(self.log).read()}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def scrape(address):
    with urllib.request.urlopen(f"http://{address}/metrics", timeout=30) as r:
        return r.read().decode()


def main():
    ap = argparse.ArgumentParser()
    for a in ("--levain", "--repo", "--broker-dir", "--promtool", "--work"):
        ap.add_argument(a, required=True)
    args = ap.parse_args()
    repo = args.repo
    rules_path = os.path.join(repo, "deploy/prometheus/levain-rules.yml")
    board_path = os.path.join(repo, "deploy/grafana/levain.json")

    rule_names, recorded = used_in_rules(rules_path)
    board_names, exprs = used_in_dashboard(board_path)
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    check_dashboard_promql(args.promtool, exprs, args.work)

    env_out = subprocess.run([os.path.join(repo, "scripts/rabbitmq-instance"), "env",
                              args.broker_dir], capture_output=True, text=True, check=True).stdout
    m = re.search(r"LEVAIN_AMQP_URL='([^']+)'", env_out)
    if not m:
        fail(f"no LEVAIN_AMQP_URL from the test broker in {args.broker_dir}:\n{env_out}")

    levain = args.levain
    procs = []
    try:
        training = Process("training", [levain, "training", "--listen", "127.0.0.1:0",
                                        "--data-dir", os.path.join(args.work, "data"),
                                        "--jwt-secret", SECRET, "--amqp-url", m.group(1)],
                           args.work)
        procs.append(training)
        gateway = Process("gateway", [levain, "gateway", "--listen", "127.0.0.1:0",
                                      "--upstream", training.address, "--jwt-secret", SECRET,
                                      "--web-root", os.path.join(repo, "web")], args.work)
        procs.append(gateway)

        token = subprocess.run([levain, "token", "--tenant", TENANT, "--role", "trainer",
                                "--secret", SECRET], capture_output=True, text=True,
                               check=True).stdout.strip()
        csv = os.path.join(args.work, "sales.csv")
        with open(csv, "w") as f:
            subprocess.run([levain, "demo-data", "--products", "3", "--days", "120"], stdout=f,
                           check=True)
        train = subprocess.run([levain, "train", "--url", f"http://{gateway.address}",
                                "--tenant", TENANT, "--token", token, "--quiet", csv],
                               capture_output=True, text=True, timeout=240)
        if train.returncode != 0 or "completed" not in train.stdout:
            fail(f"the job did not complete (exit {train.returncode}):\n"
                 f"{train.stdout}{train.stderr}")

        families, samples = {}, set()
        for p in procs:
            f, s = exported_families(scrape(p.address))
            families.update(f)
            samples |= s
    finally:
        codes = {p.name: p.stop() for p in reversed(procs)}

    bad = {n: c for n, c in codes.items() if c != 0}
    if bad:
        fail(f"processes exited uncleanly: {bad}; logs in {args.work}")

    used = {}
    for source in (rule_names, board_names):
        for n, where in source.items():
            used.setdefault(n, set()).update(where)
    missing = {n: w for n, w in used.items()
               if n not in SYNTHETIC and n not in recorded and not is_exported(n, families)}
    if missing:
        for n in sorted(missing):
            print(f"  {n}: used by {', '.join(sorted(missing[n]))}", file=sys.stderr)
        fail(f"{len(missing)} metric name(s) above are not exported by the training service or "
             f"the gateway ({len(families)} families exported)")
    print(f"metric_names_test: ok, {len(used)} names used, all among {len(families)} exported "
          f"families ({len(samples)} sample names)")
    shutil.rmtree(args.work, ignore_errors=True)


if __name__ == "__main__":
    main()
