# Helpers for .ci/run (sourced, not executed).

RESULTS=()
FAILED=0
APT_UPDATED=0

_line() { printf '%s\n' "------------------------------------------------------------------------"; }

# setup NAME CMD...: a prerequisite; the run stops if it fails.
setup() {
    local name="$1"; shift
    local started=$SECONDS
    _line; echo "== setup: ${name}"
    if "$@"; then
        echo "== setup: ${name}: OK ($((SECONDS - started)) s)"
    else
        echo "== setup: ${name}: FAILED, stopping" >&2
        exit 1
    fi
}

# stage NAME CMD...: a check; it may fail, the others still run.
# Exit status 75 (EX_TEMPFAIL) means "could not check": a warning, not a failure.
stage() {
    local name="$1"; shift
    local started=$SECONDS status=0
    _line; echo "== stage: ${name}"
    "$@" || status=$?
    local took=$((SECONDS - started))
    case "$status" in
        0) RESULTS+=("PASS  ${name} (${took} s)") ;;
        75) RESULTS+=("WARN  ${name} (${took} s)") ;;
        *) RESULTS+=("FAIL  ${name} (${took} s, exit ${status})"); FAILED=1 ;;
    esac
    echo "== stage: ${RESULTS[-1]}"
}

summary() {
    _line; echo "== CI summary"
    printf '   %s\n' "${RESULTS[@]}"
    if [[ "$FAILED" != 0 ]]; then
        echo "== CI: FAILED"
        exit 1
    fi
    echo "== CI: PASSED"
}

apt_install() {
    if [[ "$APT_UPDATED" == 0 ]]; then
        apt-get update -qq
        APT_UPDATED=1
    fi
    apt-get install -y -qq --no-install-recommends "$@"
}

dovecot_install() {
    apt_install dovecot-imapd
    doveadm stop 2>/dev/null || true
}

pg_bindir() {
    local dir
    dir="$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
    [[ -n "$dir" ]] && echo "$dir"
}

# postgres_ensure PORT STATE_DIR: make PostgreSQL answer on 127.0.0.1:PORT with trust auth for
# the superuser "postgres" (who may create the test database). Starts a self-contained cluster
# (no systemd) when nothing answers.
postgres_ensure() {
    local port="$1" state="$2"
    if command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p "$port"; then
        echo "PostgreSQL already answers on 127.0.0.1:${port}"
        return 0
    fi
    if [[ -z "$(pg_bindir)" ]]; then
        apt_install postgresql
        # The package may have started its own cluster (password auth over TCP): stop it.
        if command -v pg_lsclusters >/dev/null; then
            pg_lsclusters --no-header 2>/dev/null | while read -r version cluster _; do
                pg_ctlcluster "$version" "$cluster" stop 2>/dev/null || true
            done
        fi
    fi
    local bin data log
    bin="$(pg_bindir)"
    data="${state}/pg-${port}"
    log="${state}/pg-${port}.log"
    install -d -o postgres -g postgres -m 0700 "$state" "$data"
    if [[ ! -f "${data}/PG_VERSION" ]]; then
        runuser -u postgres -- "${bin}/initdb" -D "$data" -U postgres --auth=trust \
            --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    fi
    runuser -u postgres -- touch "$log"
    # fsync and friends off: a throwaway test cluster.
    runuser -u postgres -- "${bin}/pg_ctl" -D "$data" -l "$log" -w -t 60 start -o \
        "-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${state} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    pg_isready -h 127.0.0.1 -p "$port"
}

# redis_ensure PORT: make Redis answer on 127.0.0.1:PORT.
redis_ensure() {
    local port="$1"
    if command -v redis-cli >/dev/null && redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
        echo "Redis already answers on 127.0.0.1:${port}"
        return 0
    fi
    command -v redis-server >/dev/null || apt_install redis-server
    if ! redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
        redis-server --bind 127.0.0.1 --port "$port" --daemonize yes --save '' --appendonly no
    fi
    for _ in $(seq 50); do
        redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG && return 0
        sleep 0.1
    done
    echo "Redis did not answer on 127.0.0.1:${port}" >&2
    return 1
}

# dependencies_audit LOCKFILE: known vulnerabilities in the pinned dependencies fail the stage.
# PyPI's vulnerability data first, OSV's when PyPI's cannot be read. Without access to either
# (nothing could be audited) it is a warning (status 75).
dependencies_audit() {
    local lock="$1" out service status total skipped
    total="$(grep -cE '^[A-Za-z0-9]' "$lock")"
    out="$(mktemp)"
    for service in pypi osv; do
        status=0
        .venv/bin/pip-audit -r "$lock" --no-deps --disable-pip --progress-spinner off \
            --vulnerability-service "$service" >"$out" 2>&1 || status=$?
        cat "$out"
        skipped="$(grep -c 'could not be audited' "$out" || true)"
        if grep -q 'known vulnerabilit' "$out" && ! grep -q 'No known vulnerabilities found' "$out"; then
            rm -f "$out"
            return 1
        fi
        if [[ "$status" == 0 && "$skipped" -lt "$total" ]]; then
            if [[ "$skipped" -gt 0 ]]; then
                echo "WARNING: ${skipped} of ${total} packages could not be audited (${service})."
            fi
            rm -f "$out"
            return 0
        fi
        echo "WARNING: no ${service} vulnerability data (pip-audit exit ${status}; ${skipped} of ${total} packages unaudited)."
    done
    rm -f "$out"
    return 75
}
