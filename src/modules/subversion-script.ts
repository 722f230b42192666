// The shell side of ansible.builtin.subversion: one POSIX sh script that walks Ansible's
// decision tree (export, checkout, switch/revert/update, or only report) with the host's
// `svn`, printing what it saw between marker lines; subversion.ts reads them and words the
// result. The svn commands and their order are Ansible's, because users see them in `cmd`.
// A password never reaches an argv: the script itself comes on stdin, and svn reads the
// password with --password-from-stdin from printf (a shell builtin, so no process sees it
// on its command line either); svn older than 1.10 has no such option and is refused.
import { quote } from '../transport/quote.js';

export interface SvnScriptParams {
  svn: string;
  /** The executable was given: used as it is, not looked up. */
  explicit: boolean;
  dest: string;
  repo: string;
  revision: string;
  force: boolean;
  inPlace: boolean;
  username: string;
  password: string;
  trustServerCert: boolean;
  export: boolean;
  checkout: boolean;
  update: boolean;
  switch: boolean;
  check: boolean;
  marker: string;
}

const LIB = String.raw`
set -f
LANG=C; LC_ALL=C; LC_MESSAGES=C; export LANG LC_ALL LC_MESSAGES
T=$(mktemp -d 2>/dev/null || mktemp -d -t rackplay-svn) || exit 97
trap 'rm -rf "$T"' EXIT
emit() { printf '%s %s\n%s\n%s\n' "$M" "$1" "$2" "$M"; }
finish() { emit end "$1"; exit 0; }
fail() { emit fail "$1"; exit 0; }
rawv() { _x=$(cat "$1"; echo .); RAWV=${"$"}{_x%.}; }
x() {
  [ -n "$PW" ] && set -- --password-from-stdin "$@"
  [ -n "$USERNAME" ] && set -- --username "$USERNAME" "$@"
  [ "$TRUST" = 1 ] && set -- --trust-server-cert "$@"
  set -- "$SVN" --non-interactive --no-auth-cache "$@"
  printf '%s\n' "$@" > "$T/cmd"
  if [ -n "$PW" ]; then printf '%s\n' "$PW" | "$@" >"$T/out" 2>"$T/err"; RC=$?
  else "$@" >"$T/out" 2>"$T/err" </dev/null; RC=$?; fi
  rawv "$T/out"; OUT=$RAWV
}
xc() {
  x "$@"; [ "$RC" = 0 ] && return 0
  rawv "$T/cmd"; emit cmd "$RAWV"; emit stdout "$OUT"; rawv "$T/err"; emit stderr "$RAWV"; emit rc "$RC"
  fail "$(cat "$T/err")"
}
mods() { xc status --quiet --ignore-externals "$DEST"; if printf '%s\n' "$OUT" | grep -q '^[^?X]'; then MODS=1; else MODS=0; fi; }
`;

// Ansible's main(), branch by branch; each ends the script. dest is a `path` argument:
// a leading ~ is the user's home, as Ansible expands it on the host.
const MAIN = String.raw`
case $DEST in '~'|'~/'*) DEST=$HOME${"$"}{DEST#'~'};; esac
if [ "$EXPLICIT" = 1 ]; then [ -x "$SVN" ] || fail "[Errno 2] No such file or directory: b'$SVN'"
else
  _p=$PATH:/sbin:/usr/sbin:/usr/local/sbin
  _s=$(PATH=$_p command -v "$SVN" 2>/dev/null) || fail "Failed to find required executable \"$SVN\" in paths: $_p"
  SVN=$_s
fi
if [ -n "$PW" ]; then
  _v=$("$SVN" --version --quiet </dev/null 2>/dev/null)
  _maj=${"$"}{_v%%.*}; _rest=${"$"}{_v#*.}; _min=${"$"}{_rest%%.*}
  case $_maj$_min in *[!0-9]*|'') _maj=0; _min=0;; esac
  if [ "$_maj" -lt 1 ] || { [ "$_maj" -eq 1 ] && [ "$_min" -lt 10 ]; }; then
    emit svn_version "$_v"; fail old_svn
  fi
fi
if [ "$EXPORT" = 0 ] && [ "$UPDATE" = 0 ] && [ "$CHECKOUT" = 0 ]; then
  xc info "$REPO"; emit remote_info "$OUT"; finish remote
fi
if [ "$EXPORT" = 1 ] || [ ! -e "$DEST" ]; then
  [ "$CHECK" = 1 ] && finish changed
  [ "$EXPORT" = 0 ] && [ "$CHECKOUT" = 0 ] && finish unchanged
  if [ "$EXPORT" = 0 ]; then xc checkout -r "$REV" "$REPO" "$DEST"
  elif [ "$FORCE" = 1 ]; then xc export --force -r "$REV" "$REPO" "$DEST"; finish changed
  else xc export -r "$REV" "$REPO" "$DEST"; finish changed; fi
  xc info "$DEST"; emit after_info "$OUT"; finish checkout
fi
x info "$DEST"
if [ "$RC" = 0 ]; then
  [ "$UPDATE" = 1 ] || finish unchanged
  if [ "$CHECK" = 1 ]; then
    mods; [ "$MODS" = 1 ] && [ "$FORCE" = 0 ] && fail 'ERROR: modified files exist in the repository.'
    xc info "$DEST"; emit before_info "$OUT"
    xc info -r "$REV" "$DEST"; emit head_info "$OUT"; finish check_update
  fi
  xc info "$DEST"; emit before_info "$OUT"
  mods; emit mods "$MODS"
  if [ "$SWITCH" = 1 ]; then xc switch --revision "$REV" "$REPO" "$DEST"; emit switch_out "$OUT"; fi
  if [ "$MODS" = 1 ]; then
    [ "$FORCE" = 1 ] || fail 'ERROR: modified files exist in the repository.'
    xc revert -R "$DEST"; emit revert_out "$OUT"
  fi
  xc update -r "$REV" "$DEST"; emit update_out "$OUT"
  xc info "$DEST"; emit after_info "$OUT"; finish update
fi
if [ "$INPLACE" = 1 ]; then
  xc checkout --force -r "$REV" "$REPO" "$DEST"
  mods; [ "$MODS" = 1 ] && [ "$FORCE" = 1 ] && xc revert -R "$DEST"
  xc info "$DEST"; emit after_info "$OUT"; finish checkout
fi
fail "ERROR: $DEST folder already exists, but its not a subversion repository."
`;

export function svnScript(p: SvnScriptParams): string {
  const vars: [string, string | boolean][] = [
    ['M', p.marker],
    ['SVN', p.svn],
    ['EXPLICIT', p.explicit],
    ['DEST', p.dest],
    ['REPO', p.repo],
    ['REV', p.revision],
    ['FORCE', p.force],
    ['INPLACE', p.inPlace],
    ['USERNAME', p.username],
    ['PW', p.password],
    ['TRUST', p.trustServerCert],
    ['EXPORT', p.export],
    ['CHECKOUT', p.checkout],
    ['UPDATE', p.update],
    ['SWITCH', p.switch],
    ['CHECK', p.check],
  ];
  const assigns = vars.map(([k, v]) => `${k}=${typeof v === 'boolean' ? (v ? 1 : 0) : quote(v)}`).join('\n');
  return `${assigns}\n${LIB}\n${MAIN}`;
}
