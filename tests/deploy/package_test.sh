#!/usr/bin/env bash
# The Debian package end to end: scripts/package makes it from this build tree (compiling
# nothing), dpkg-deb reads its control data and file list, the extracted tree is compared with
# the repository, systemd-analyze verifies the two units, the packaged binary reads the sample
# config (every key known, every default right) and serves the packaged dashboard.
# Usage: package_test.sh LEVAIN_BINARY REPO_DIR BUILD_DIR
set -euo pipefail
levain=${1:?levain binary}
repo=${2:?repository}
build=${3:?build directory}
work=$(mktemp -d /tmp/levain-package-test-XXXXXX)
gateway=

fail() { echo "package_test: FAIL: $*" >&2; exit 1; }
note() { echo "package_test: $*"; }
finish() {
  local rc=$?
  if [[ -n $gateway ]] && kill -0 "$gateway" 2>/dev/null; then kill -TERM "$gateway"; wait "$gateway" || true; fi
  rm -rf "$work/root"  # the extracted binary is large; logs stay for a failure
  ((rc == 0)) && rm -rf "$work"
  ((rc == 0)) || echo "package_test: logs in $work" >&2
  exit "$rc"
}
trap finish EXIT

# --- the package, from the existing build ---
"$repo/scripts/package" -h | grep -q -- '--build-dir' || fail "scripts/package -h shows no usage"
deb=$("$repo/scripts/package" --build-dir "$build" --out "$work/dist" 2>"$work/package.log") ||
  fail "scripts/package failed: $(cat "$work/package.log")"
[[ -f $deb ]] || fail "scripts/package printed '$deb', which is not a file"
version=$("$levain" --version | awk '{print $2}')
arch=$(dpkg --print-architecture)
[[ $(basename "$deb") == "levain_${version}_${arch}.deb" ]] ||
  fail "package named $(basename "$deb"), expected levain_${version}_${arch}.deb"
note "$(basename "$deb"): $(du -h "$deb" | cut -f1)"

# --- control data ---
dpkg-deb --info "$deb" >"$work/info"
field() { dpkg-deb --field "$deb" "$1"; }
[[ $(field Package) == levain ]] || fail "Package: $(field Package)"
[[ $(field Version) == "$version" ]] || fail "Version: $(field Version), the binary says $version"
[[ $(field Architecture) == "$arch" ]] || fail "Architecture: $(field Architecture)"
[[ -n $(field Maintainer) ]] || fail "no Maintainer"
for lib in libc6 libstdc++6 libssl3 libjwt0 librabbitmq4 libsqlite3-0 libpq5 libboost-json1.81.0; do
  field Depends | tr ',' '\n' | grep -q "^ *$lib\b" || fail "Depends lacks $lib: $(field Depends)"
done
for member in conffiles postinst prerm postrm; do
  grep -Eq "^ +[0-9]+ bytes, +[0-9]+ lines +\*? +$member\b" "$work/info" || fail "control member $member missing"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles | grep -qx /etc/levain/levain.toml ||
  fail "/etc/levain/levain.toml is not a conffile"

# --- file list ---
dpkg-deb --contents "$deb" | awk '{print $1, $6}' >"$work/contents"
has() { grep -q " \./${1#/}$" "$work/contents" || fail "the package lacks /${1#/}"; }
web=usr/share/levain/web
for f in usr/bin/levain lib/systemd/system/levain-training.service \
         lib/systemd/system/levain-gateway.service etc/levain/levain.toml \
         usr/share/man/man1/levain.1 usr/share/doc/levain/help.txt "$web/index.html" \
         "$web/node_modules/uplot/dist/uPlot.esm.js" "$web/node_modules/uplot/dist/uPlot.min.css"; do
  has "$f"
done
grep -q '^-rwxr-xr-x \./usr/bin/levain$' "$work/contents" || fail "/usr/bin/levain is not mode 0755"
# Every dashboard source file, and everything the page and its modules load from node_modules.
(cd "$repo/web" && find app client -type f) | while read -r f; do has "$web/$f"; done
refs=$(grep -ohE "node_modules/[A-Za-z0-9@._/-]+" "$repo/web/index.html" "$repo"/web/app/*.js | sort -u)
[[ -n $refs ]] || fail "found no node_modules reference in the dashboard: has the chart import moved?"
for r in $refs; do has "$web/$r"; done
# Only what runs in the browser: no test tools (playwright, react, ws, typescript).
! grep -E " \./$web/node_modules/." "$work/contents" | grep -vE "/node_modules/uplot(/|$)" | grep -q . ||
  fail "node_modules beyond uplot in the package: $(grep " \./$web/node_modules/" "$work/contents" | grep -v /uplot | head -3)"

# --- the extracted tree ---
root=$work/root
dpkg-deb -x "$deb" "$root"
cmp -s "$root/etc/levain/levain.toml" "$repo/deploy/levain.toml" || fail "packaged levain.toml differs from deploy/"
for u in levain-training levain-gateway; do
  cmp -s "$root/lib/systemd/system/$u.service" "$repo/deploy/systemd/$u.service" ||
    fail "packaged $u.service differs from deploy/systemd/"
done
for cmd in "levain --version" "levain --help" "levain training --help" "levain gateway --help"; do
  grep -qxF "\$ $cmd" "$root/usr/share/doc/levain/help.txt" || fail "help.txt lacks '$cmd'"
done
grep -q -- '--data-dir' "$root/usr/share/doc/levain/help.txt" || fail "help.txt has no training flags"
grep -q -- '--upstream' "$root/usr/share/doc/levain/help.txt" || fail "help.txt has no gateway flags"
man -l "$root/usr/share/man/man1/levain.1" 2>&1 </dev/null | grep -q 'levain training' ||
  fail "the man page does not render"
bin=$root/usr/bin/levain
"$bin" --version | grep -q "^levain $version" || fail "the packaged binary does not run: $("$bin" --version 2>&1)"

# --- the units: the keys the hardening rests on (always), then systemd-analyze (where it runs) ---
key() { grep -qx "$2" "$root/lib/systemd/system/$1.service" || fail "$1.service lacks '$2'"; }
for u in levain-training levain-gateway; do
  for k in DynamicUser=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes NoNewPrivileges=yes \
           CapabilityBoundingSet= Restart=on-failure 'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' \
           'EnvironmentFile=-/etc/levain/levain.env' 'WantedBy=multi-user.target'; do
    key "$u" "$k"
  done
done
key levain-training StateDirectory=levain
key levain-training 'ExecStart=/usr/bin/levain training --config /etc/levain/levain.toml --data-dir /var/lib/levain'
key levain-gateway 'ExecStart=/usr/bin/levain gateway --config /etc/levain/levain.toml --web-root /usr/share/levain/web'

units=$work/units
mkdir -p "$units"
# ExecStart names the extracted binary, so verify checks it exists and is executable; MANPATH
# lets it resolve Documentation=man:levain(1) to the packaged page.
for u in levain-training levain-gateway; do
  sed "s#/usr/bin/levain #$bin #" "$root/lib/systemd/system/$u.service" >"$units/$u.service"
done
printf '[Unit]\nDescription=probe\n[Service]\nExecStart=/bin/true\n' >"$units/levain-probe.service"
if ! command -v systemd-analyze >/dev/null; then
  note "================================================================================"
  note "WARNING: systemd-analyze is not installed: the units were NOT verified by systemd,"
  note "only their keys were checked with grep above. apt-get install systemd to verify."
  note "================================================================================"
elif ! systemd-analyze verify --man=no "$units/levain-probe.service" >"$work/probe.log" 2>&1; then
  note "================================================================================"
  note "WARNING: systemd-analyze verify cannot run in this container (a trivial unit fails:"
  note "$(head -3 "$work/probe.log"))"
  note "The units were NOT verified by systemd, only their keys were checked with grep above."
  note "================================================================================"
else
  MANPATH=$root/usr/share/man systemd-analyze verify "$units/levain-training.service" \
    "$units/levain-gateway.service" >"$work/verify.log" 2>&1 ||
    fail "systemd-analyze verify: $(cat "$work/verify.log")"
  [[ ! -s $work/verify.log ]] || fail "systemd-analyze verify warned: $(cat "$work/verify.log")"
  note "systemd-analyze verify: both units clean"
  # The exposure score (0 safest .. 10): a unit that loses its hardening scores far above 2.
  for u in levain-training levain-gateway; do
    if systemd-analyze security --offline=yes "$units/$u.service" >"$work/$u.security" 2>&1; then
      score=$(sed -n "s/.*Overall exposure level for $u.service: \([0-9.]*\).*/\1/p" "$work/$u.security")
      [[ -n $score ]] || fail "no exposure level in: $(tail -3 "$work/$u.security")"
      awk -v s="$score" 'BEGIN { exit !(s < 2.0) }' || fail "$u exposure $score (expected < 2.0)"
      note "systemd-analyze security: $u exposure $score"
    else
      note "WARNING: systemd-analyze security --offline cannot run here: $(tail -1 "$work/$u.security")"
    fi
  done
fi

# --- the sample config, read by the packaged binary ---
sample=$root/etc/levain/levain.toml
# `# key = value` lines of one [section] of the sample, as key<TAB>value.
sample_keys() {
  awk -v want="[$1]" '
    /^\[/ { in_section = ($0 == want); next }
    in_section && match($0, /^# [a-z][a-z0-9-]* = /) {
      key = substr($0, 3); sub(/ = .*/, "", key)
      value = $0; sub(/^# [a-z][a-z0-9-]* = /, "", value)
      print key "\t" value
    }' "$sample"
}
# Quotes, brackets and spaces aside, so `["a", "b"]` and `"a"` compare as CLI11 prints them.
norm() { tr -d '"[] '; }
"$bin" training --config "$sample" --print-config >"$work/sample.training" ||
  fail "the packaged binary refuses the packaged levain.toml for training"
sed -E 's/^# ([a-z][a-z0-9-]*) = /\1 = /' "$sample" >"$work/all.toml"
for section in training gateway; do
  extra=()
  [[ $section == gateway ]] && extra=(--upstream 127.0.0.1:1)  # required, no default
  "$bin" "$section" "${extra[@]}" --print-config | tail -n +2 >"$work/defaults.$section" ||
    fail "levain $section --print-config failed"
  "$bin" "$section" --config "$work/all.toml" --print-config >"$work/all.$section" 2>&1 ||
    fail "levain $section refuses the sample with every key uncommented: $(head -3 "$work/all.$section")"
  sample_keys "$section" >"$work/sample.$section"
  # Every flag is documented in the sample...
  while IFS='=' read -r k default; do
    grep -q "^$k	" "$work/sample.$section" ||
      fail "deploy/levain.toml [$section] lacks '$k' (levain $section --print-config has it)"
    value=$(grep "^$k	" "$work/sample.$section" | cut -f2 | norm)
    # ...showing its default, where it has one (an example where not; secrets print masked).
    d=$(norm <<<"$default")
    if [[ -n $d && $d != '***' && $k != upstream && $value != "$d" ]]; then
      fail "deploy/levain.toml [$section] shows $k = $value, but its default is $d"
    fi
  done <"$work/defaults.$section"
  # ...and each uncommented key took effect in its own section.
  while IFS=$'\t' read -r k value; do
    got=$(grep "^$k=" "$work/all.$section" | cut -d= -f2- | norm)
    # Secrets, and the passwords inside URLs, print masked.
    [[ $got == *'***'* || $got == "$(norm <<<"$value")" ]] ||
      fail "[$section] $k = $value in the sample, but levain printed '$got'"
  done <"$work/sample.$section"
  note "levain.toml [$section]: $(wc -l <"$work/sample.$section") keys, every flag, defaults right"
done

# --- the packaged dashboard, served by the packaged gateway from the packaged config ---
"$bin" gateway --config "$sample" --web-root "$root/$web" --upstream 127.0.0.1:1 \
  --jwt-secret package-test --listen 127.0.0.1:0 >"$work/gateway.log" 2>&1 &
gateway=$!
port=
for _ in $(seq 300); do
  port=$(sed -n 's/^levain: listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/gateway.log")
  [[ -n $port ]] && break
  kill -0 "$gateway" 2>/dev/null || fail "the gateway exited: $(cat "$work/gateway.log")"
  sleep 0.1
done
[[ -n $port ]] || fail "the gateway printed no port in 30 s"
(cd "$root/$web" && find . -type f -printf '%P\n') | while read -r f; do
  size=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "http://127.0.0.1:$port/$f")
  [[ $size == "200 $(stat -c %s "$root/$web/$f")" ]] || fail "GET /$f from the packaged gateway: $size"
done
kill -TERM "$gateway"
rc=0; wait "$gateway" || rc=$?
gateway=
((rc == 0)) || fail "the gateway exited $rc on SIGTERM: $(tail -5 "$work/gateway.log")"
note "the packaged gateway served all $(find "$root/$web" -type f | wc -l) dashboard files"
note "PASS"
