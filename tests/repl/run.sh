#!/usr/bin/env bash
# Drives the tl REPL in a real terminal (tmux) and checks what it shows:
# echo of an expression, a pasted multi-line block run as one entry, TAB
# completion of `console.l`, Ctrl-C stopping `while (true) {}` with the
# session intact, `.exit`, history recall (Up) across a restart, and timers
# that keep firing at the prompt (after the echo, above the line being typed).
#
#   tests/repl/run.sh [path/to/tl]      (default: .build/debug/tl)
#
# Every wait polls the screen with a timeout; nothing relies on fixed sleeps
# except one short pause that lets the endless loop start. The tmux server
# (its socket) and the temporary HOME are removed on exit.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tl=${1:-$root/.build/debug/tl}
[ -x "$tl" ] || { echo "repl test: no tl binary at $tl (swift build first)" >&2; exit 2; }
command -v tmux >/dev/null || { echo "repl test: tmux is not installed" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tl-repl-test.XXXXXX")
session="repl-1"
# remain-on-exit: keep the screen after tl ends, for the failure report.
# default-terminal: "screen" is in every terminfo database (ncurses-base).
printf 'set -g remain-on-exit on\nset -g history-limit 5000\nset -g default-terminal screen\n' \
  > "$work/tmux.conf"
# A private server whose socket lives in $work, so nothing is left behind.
tmx() { tmux -S "$work/tmux.sock" -f "$work/tmux.conf" "$@"; }
cleanup() {
  tmx kill-server >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

step() { echo "repl test: $*"; }
fail() {
  echo "repl test FAILED: $*" >&2
  echo "---- screen ----" >&2
  tmx capture-pane -p -t "$session" >&2 || true
  echo "----------------" >&2
  exit 1
}

screen() { tmx capture-pane -p -J -S -200 -t "$session"; }

# wait_for MODE TEXT [SECONDS]: MODE is "contains" (fixed string anywhere)
# or "line" (a whole screen line, trailing blanks ignored).
wait_for() {
  local mode=$1 text=$2 limit=${3:-15}
  local deadline=$((SECONDS + limit))
  while [ $SECONDS -lt $deadline ]; do
    case $mode in
      contains) screen | grep -qF -- "$text" && return 0 ;;
      line) screen | sed 's/[[:space:]]*$//' | grep -qxF -- "$text" && return 0 ;;
    esac
    sleep 0.1
  done
  fail "timed out after ${limit}s waiting for $mode '$text'"
}

# last_line_no TEXT: the number of the last screen line that is exactly TEXT.
last_line_no() { screen | sed 's/[[:space:]]*$//' | grep -nxF -- "$1" | tail -1 | cut -d: -f1; }

# screen_line N: screen line N, trailing blanks removed.
screen_line() { screen | sed 's/[[:space:]]*$//' | sed -n "$1p"; }

# count_lines TEXT: how many screen lines are exactly TEXT.
count_lines() { screen | sed 's/[[:space:]]*$//' | grep -cxF -- "$1" || true; }

# wait_dead [SECONDS]: waits for tl to exit; sets $status to its exit status.
# (The status comes from the wrapper shell: tmux can leave the exited
# process unreaped for a while, so its own pane_dead_status is unreliable.)
wait_dead() {
  local deadline=$((SECONDS + ${1:-15}))
  while [ $SECONDS -lt $deadline ]; do
    if [ -s "$work/status-$session" ]; then
      status=$(cat "$work/status-$session")
      return 0
    fi
    sleep 0.1
  done
  fail "tl did not exit"
}

# start_tl NAME: runs tl in a fresh session (the old one stays, dead, so the
# server does not exit between the two).
start_tl() {
  session=$1
  # The wrapper shell ignores SIGINT (tl installs its own handler) and
  # records tl's exit status.
  tmx new-session -d -s "$session" -x 120 -y 40 \
    sh -c 'trap "" INT; env -u NO_COLOR HOME="$1" "$2"; echo $? > "$3"' \
    sh "$work" "$tl" "$work/status-$session"
  wait_for contains 'Type ".help" for more information.'
  wait_for line '>'
}

# ---------------------------------------------------------------------------
step "start"
start_tl repl-1

step "an expression echoes its value"
tmx send-keys -t "$session" -l '6 * 7 + 1000'
tmx send-keys -t "$session" Enter
wait_for line '1042'

step "a pasted multi-line block runs as one entry"
printf '%s\n' 'function area(r) {' '  return Math.round(Math.PI * r * r)' '}' 'area(10) + 0.5' \
  > "$work/paste.txt"
tmx load-buffer -b block "$work/paste.txt"
tmx paste-buffer -b block -t "$session"
wait_for line '314.5'
wait_for line '... }'
[ "$(count_lines 'undefined')" = 0 ] || fail "the pasted lines were evaluated one by one"

step "TAB completes console.l"
tmx send-keys -t "$session" -l 'console.l'
tmx send-keys -t "$session" Tab
wait_for line '> console.log'
tmx send-keys -t "$session" -l "('tab' + 'done')"
tmx send-keys -t "$session" Enter
wait_for line 'tabdone'

step "Ctrl-C stops a running loop and the session goes on"
tmx send-keys -t "$session" -l 'let kept = 5; while (true) {}'
tmx send-keys -t "$session" Enter
wait_for line '> let kept = 5; while (true) {}'
sleep 0.5
tmx send-keys -t "$session" C-c
wait_for contains 'interrupted'
tmx send-keys -t "$session" -l '1+1'
tmx send-keys -t "$session" Enter
wait_for line '2'
tmx send-keys -t "$session" -l 'kept * 100'
tmx send-keys -t "$session" Enter
wait_for line '500'

step ".exit ends the session"
tmx send-keys -t "$session" -l '.exit'
tmx send-keys -t "$session" Enter
wait_dead
[ "$status" = 0 ] || fail ".exit status is '$status', not 0"

step "the history file holds the block as one entry"
[ -f "$work/.tl_history" ] || fail "no history file in \$HOME"
grep -qxF 'function area(r) {\n  return Math.round(Math.PI * r * r)\n}\narea(10) + 0.5' \
  "$work/.tl_history" || fail "multi-line entry not stored as one line: $(cat "$work/.tl_history")"

step "history is recalled after a restart (Up)"
start_tl repl-2
tmx send-keys -t "$session" Up
wait_for line '> .exit'
# .exit, kept * 100, 1+1, the loop, console.log, then the pasted block.
tmx send-keys -t "$session" Up Up Up Up Up
wait_for line '> function area(r) {'
tmx send-keys -t "$session" Enter
wait_for line '314.5'

step "a timer's output comes after the echo, and the prompt comes back"
tmx send-keys -t "$session" -l "setTimeout(() => console.log('later'), 300); 5"
tmx send-keys -t "$session" Enter
wait_for line 'later'
[ "$(last_line_no '5')" -lt "$(last_line_no 'later')" ] || fail "'later' came before the echo '5'"
[ "$(screen_line $(( $(last_line_no 'later') + 1 )))" = '>' ] || fail "no prompt after 'later'"

step "an interval logs 3 times and clears itself while a line is being typed"
tmx send-keys -t "$session" -l \
  "let n = 0; const h = setInterval(() => { console.log('tick ' + ++n); if (n === 3) clearInterval(h) }, 400)"
tmx send-keys -t "$session" Enter
wait_for line 'tick 1'
tmx send-keys -t "$session" -l 'n * '
wait_for line 'tick 3'
# The half-typed line is redrawn below the ticks, and still edits.
wait_for line '> n *'
tmx send-keys -t "$session" -l '100'
tmx send-keys -t "$session" Enter
wait_for line '300'
sleep 0.6
[ "$(count_lines 'tick 3')" = 1 ] && [ "$(count_lines 'tick 4')" = 0 ] \
  || fail "the interval did not stop after 3 ticks"

step "Ctrl-C at the prompt clears the line; a pending timer still fires"
tmx send-keys -t "$session" -l "setTimeout(() => console.log('still here'), 800); 'set'"
tmx send-keys -t "$session" Enter
wait_for line "'set'"
tmx send-keys -t "$session" -l 'abandoned'
tmx send-keys -t "$session" C-c
wait_for line 'still here'
tmx send-keys -t "$session" -l '6 * 6'
tmx send-keys -t "$session" Enter
wait_for line '36'

step "Ctrl-C twice on an empty prompt exits"
tmx send-keys -t "$session" C-c
wait_for contains '(To exit, press Ctrl+C again or Ctrl+D or type .exit)'
tmx send-keys -t "$session" C-c
wait_dead
[ "$status" = 0 ] || fail "exit status after Ctrl-C twice is '$status', not 0"

echo "repl test: all passed"
