// The shell side of ansible.builtin.git: one POSIX sh script that walks Ansible's
// decision tree (clone, or fetch and switch, or only report) with the host's own `git`,
// so a run is one exec whatever the repository's state. It prints its results between
// marker lines (`<marker> name`, the value, `<marker>`); git-result.ts reads them. The
// order and the arguments of the git commands are Ansible's (lib/ansible/modules/git.py),
// because users read them back in failure results (`cmd`) and in the host's reflog.
import { quote } from '../transport/quote.js';

/** What the script needs, already checked and normalised on the controller. */
export interface GitScriptParams {
  git: string;
  repo: string;
  dest: string;
  version: string;
  remote: string;
  refspec: string;
  reference: string;
  depth: number;
  bare: boolean;
  clone: boolean;
  update: boolean;
  force: boolean;
  check: boolean;
  diff: boolean;
  recursive: boolean;
  trackSubmodules: boolean;
  singleBranch: boolean;
  acceptHostkey: boolean;
  acceptNewhostkey: boolean;
  sshOpts?: string;
  keyFile: string;
  umask?: string;
  archive: string;
  archivePrefix?: string;
  separateGitDir: string;
  verifyCommit: boolean;
  gpgWhitelist?: string[];
  marker: string;
}

// Helpers: g runs git with Ansible's C locale, in a directory when it exists (Ansible's
// run_command ignores a cwd that is not a directory), leaving OUT, ERR and RC; gc does
// the same and fails the task as run_command(check_rc=True) does.
const LIB = String.raw`
set -f
LANG=C; LC_ALL=C; LC_MESSAGES=C; LC_CTYPE=C; export LANG LC_ALL LC_MESSAGES LC_CTYPE
T=$(mktemp -d 2>/dev/null || mktemp -d -t rackplay-git) || exit 97
trap 'rm -rf "$T"' EXIT
emit() { printf '%s %s\n%s\n%s\n' "$M" "$1" "$2" "$M"; }
done_() { emit done 1; exit 0; }
g() { _d=$1; shift; printf '%s\n' "$GIT" "$@" > "$T/cmd"; RC=$( [ -d "$_d" ] && cd "$_d"; "$GIT" "$@" >"$T/out" 2>"$T/err" </dev/null; echo $? ); OUT=$(cat "$T/out"); ERR=$(cat "$T/err"); }
rawv() { _x=$(cat "$1"; echo .); RAWV=\${_x%.}; }
emit_io() { rawv "$T/out"; emit stdout "$RAWV"; rawv "$T/err"; emit stderr "$RAWV"; emit rc "$RC"; }
fail_run() { emit cmd "$(cat "$T/cmd")"; emit_io; emit fail "$1"; exit 0; }
fail_str() { emit cmdstr "$(tr '\n' ' ' < "$T/cmd" | sed 's/ $//')"; emit_io; emit fail "$1"; exit 0; }
gc() { g "$@"; [ "$RC" = 0 ] || fail_run "$ERR"; }
fail() { emit fail "$1"; exit 0; }
warn() { emit warn "$1"; }
contains() { case $1 in *"$2"*) return 0;; esac; return 1; }
repo_path() {
  if [ "$BARE" = 1 ]; then RP=$DEST; else RP=$DEST/.git; fi
  if [ -f "$RP" ]; then
    _l=$(cat "$RP"); case $_l in "gitdir: "*) ;; *) fail 'Current repo does not have a valid reference to a separate Git dir or it refers to the invalid path';; esac
    _gd=\${_l#gitdir: }; case $_gd in /*) RP=$_gd;; *) RP=$DEST/$_gd;; esac
    [ -d "$RP" ] || fail 'Current repo does not have a valid reference to a separate Git dir or it refers to the invalid path'
  fi
}
branches() { g "$DEST" branch --no-color -a; [ "$RC" = 0 ] || { emit_io; fail "Could not determine branch data - received $OUT"; }; BR=$(printf '%s\n' "$OUT" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//'); }
is_local_branch() { branches; printf '%s\n' "$BR" | grep -qxF -e "$1" -e "* $1"; }
is_not_a_branch() { branches; printf '%s\n' "$BR" | grep '^\* ' | grep -q -e 'no branch' -e 'detached from' -e 'detached at'; }
head_branch() {
  repo_path; _hf=$RP/HEAD
  if is_not_a_branch; then _hf=$RP/refs/remotes/$REMOTE/HEAD; fi
  HB=None; _l=; [ -f "$_hf" ] || return 0
  IFS= read -r _l < "$_hf" || [ -n "$_l" ] || return 0
  case $_l in *"refs/remotes/$REMOTE"*) _l="\${_l%%"refs/remotes/$REMOTE"*}\${_l#*"refs/remotes/$REMOTE"}";; esac
  _l=\${_l##* }; case $_l in */*) _l=\${_l#*/};; esac; case $_l in */*) _l=\${_l#*/};; esac
  HB=$_l
}
is_remote_branch() { gc "$DEST" ls-remote "$1" -h "refs/heads/$2"; contains "$OUT" "$2"; }
is_remote_tag() { gc "$DEST" ls-remote "$1" -t "refs/tags/$2"; contains "$OUT" "$2"; }
version_of() { g "$DEST" rev-parse HEAD; V=$OUT; }
remote_head() {
  _r=$1; _tag=0; _cwd=
  [ "$_r" = "$REPO" ] || _cwd=$DEST
  if [ "$VERSION" = HEAD ]; then
    if [ "$_r" = "$REPO" ]; then gc "$_cwd" ls-remote "$_r" -h HEAD
    else head_branch; gc "$_cwd" ls-remote "$_r" -h "refs/heads/$HB"; fi
  elif is_remote_branch "$_r" "$VERSION"; then gc "$_cwd" ls-remote "$_r" -h "refs/heads/$VERSION"
  elif is_remote_tag "$_r" "$VERSION"; then _tag=1; gc "$_cwd" ls-remote "$_r" -t "refs/tags/$VERSION*"
  else RH=$VERSION; return 0; fi
  if [ -z "$OUT" ]; then emit_io; fail "Could not determine remote revision for $VERSION"; fi
  _o=$OUT
  if [ "$_tag" = 1 ]; then
    _pick=$(printf '%s\n' "$OUT" | awk -v v="$VERSION" 'BEGIN { d = v "^{}" } { if (substr($0, length($0) - length(d) + 1) == d) { print; found = 1; exit } if (substr($0, length($0) - length(v) + 1) == v) last = $0 } END { if (!found && last != "") print last }')
    [ -z "$_pick" ] || _o=$_pick
  fi
  set -- $_o; RH=$1
}
unfrack() { printf '%s' "$1" | sed 's#//*#/#g; s#/$##'; }
remote_url() { g "$DEST" ls-remote --get-url "$REMOTE"; if [ "$RC" = 0 ]; then RU=$OUT; RU_SET=1; else RU=; RU_SET=0; fi; }
set_remote_url() {
  remote_url; SRU=false
  if [ "$RU_SET" = 1 ] && { [ "$RU" = "$REPO" ] || [ "$(unfrack "$RU")" = "$(unfrack "$REPO")" ]; }; then return 0; fi
  g "$DEST" remote set-url "$REMOTE" "$REPO"
  [ "$RC" = 0 ] || fail "Failed to set a new url $REPO for $REMOTE: $OUT $ERR"
  [ "$RU_SET" = 1 ] && SRU=true; return 0
}
fetch() {
  _v=$1; _rs=$2; _force=$3
  set_remote_url
  set -- fetch; _n=0
  if [ "$DEPTH" -gt 0 ]; then
    head_branch; _cur=$HB; _refs=
    if [ -n "$_rs" ]; then _refs=1; set -- "$@" --depth "$DEPTH"
    elif [ "$_v" = HEAD ]; then _refs=1; set -- "$@" --depth "$DEPTH"
    elif is_remote_branch "$REPO" "$_v"; then _refs=2; set -- "$@" --depth "$DEPTH"
    elif is_remote_tag "$REPO" "$_v"; then _refs=3; set -- "$@" --depth "$DEPTH"
    fi
  fi
  if [ -z "\${_refs:-}" ]; then [ "$BARE" = 1 ] || set -- "$@" --tags; fi
  [ "$_force" = 1 ] && set -- "$@" --force
  set -- "$@" "$REMOTE"
  case \${_refs:-} in
    1) if [ -n "$_rs" ]; then set -- "$@" "$_rs"; else set -- "$@" "$_cur"; fi;;
    2) [ "$_cur" != "$_v" ] && set -- "$@" "+refs/heads/$_v:refs/heads/$_v"; set -- "$@" "+refs/heads/$_v:refs/remotes/$REMOTE/$_v";;
    3) set -- "$@" "+refs/tags/$_v:refs/tags/$_v";;
    *) [ "$BARE" = 1 ] && set -- "$@" '+refs/heads/*:refs/heads/*' '+refs/tags/*:refs/tags/*'; [ -n "$_rs" ] && set -- "$@" "$_rs";;
  esac
  _refs=
  g "$DEST" "$@"
  [ "$RC" = 0 ] || { emit cmd "$(cat "$T/cmd")"; fail "Failed to download remote objects and refs: $OUT $ERR"; }
}
diff_of() {
  _b=$1; _a=$2
  if [ "$_b" = None ]; then emit diff ">> Newly checked out $_a"; return 0; fi
  [ "$_b" != "$_a" ] || return 0
  fetch "$_a" '' 0
  g "$DEST" diff "$_b" "$_a"
  if [ "$RC" = 0 ] && [ -n "$OUT" ]; then rawv "$T/out"; emit diff "$RAWV"
  elif [ "$RC" = 0 ]; then emit diff ">> No visual differences between $_b and $_a"
  elif [ -n "$ERR" ]; then emit diff ">> Failed to get proper diff between $_b and $_a:
>> $ERR"
  else emit diff ">> Failed to get proper diff between $_b and $_a"; fi
}
`;

// The flow of Ansible's main(): each branch ends the script with its result.
const MAIN = String.raw`
_g=$(command -v "$GIT" 2>/dev/null) || fail "Failed to find required executable \"$GIT\" in paths: $PATH"
case $_g in /*) GIT=$_g;; esac
case $REPO in "~"|"~/"*) REPO=$HOME\${REPO#"~"};; esac
case $REPO in /*) REPO=file://$REPO;; esac
case $DEST in "~"|"~/"*) DEST=$HOME\${DEST#"~"};; esac
if [ -n "$DEST" ]; then case $DEST in /*) ;; *) DEST=$PWD/$DEST;; esac; fi
case $KEYFILE in "~"|"~/"*) KEYFILE=$HOME\${KEYFILE#"~"};; esac
if [ "$ACCEPT_NEW" = 1 ]; then
  command -v ssh >/dev/null 2>&1 || fail 'Remote host is missing ssh command, so you cannot use acceptnewhostkey option.'
  if ssh -o StrictHostKeyChecking=accept-new -V </dev/null >/dev/null 2>&1; then
    if [ "$HAVE_SSH_OPTS" = 1 ]; then contains "$SSH_OPTS" '-o StrictHostKeyChecking=no' || contains "$SSH_OPTS" '-o StrictHostKeyChecking=accept-new' || SSH_OPTS="$SSH_OPTS -o StrictHostKeyChecking=accept-new"
    else SSH_OPTS='-o StrictHostKeyChecking=accept-new'; HAVE_SSH_OPTS=1; fi
  else warn 'Your ssh client does not support accept_newhostkey option, therefore it cannot be used.'; fi
fi
if [ "$HAVE_SSH_OPTS" = 1 ]; then SSH_OPTS="\${GIT_SSH_OPTS:-} $SSH_OPTS"; else SSH_OPTS=\${GIT_SSH_OPTS:-}; fi
[ "$ACCEPT_HOSTKEY" = 1 ] && ! contains "$SSH_OPTS" StrictHostKeyChecking=no && SSH_OPTS="$SSH_OPTS -o StrictHostKeyChecking=no"
contains "$SSH_OPTS" BatchMode=yes || SSH_OPTS="$SSH_OPTS -o BatchMode=yes"
if [ -n "$KEYFILE" ]; then
  contains "$SSH_OPTS" "-i $KEYFILE" || SSH_OPTS="$SSH_OPTS  -i $KEYFILE"
  contains "$SSH_OPTS" IdentitiesOnly=yes || SSH_OPTS="$SSH_OPTS -o IdentitiesOnly=yes"
fi
GIT_SSH_COMMAND="\${GIT_SSH:-\${GIT_SSH_COMMAND:-ssh}} $SSH_OPTS"; export GIT_SSH_COMMAND
[ -z "$DEST" ] && [ "$CLONE" = 1 ] && fail 'the destination directory must be specified unless clone=no'
if [ -n "$SGD" ]; then _r=$(realpath -m -- "$SGD" 2>/dev/null) && SGD=$_r; fi
if [ -n "$DEST" ]; then
  repo_path
  if [ -n "$SGD" ] && [ -e "$RP" ] && [ "$SGD" != "$RP" ]; then
    emit changed true; [ "$CHECK" = 1 ] || { relocate "$SGD" "$RP" "$DEST"; RP=$SGD; }
  fi
  GITCONFIG=$RP/config
fi
BEFORE=None; LOCAL_MODS=0; RUC=
if { [ -n "$DEST" ] && [ ! -e "$GITCONFIG" ]; } || { [ -z "$DEST" ] && [ "$CLONE" = 0 ]; }; then
  if [ "$CHECK" = 1 ] || [ "$CLONE" = 0 ]; then
    remote_head "$REPO"; emit before None; emit after "$RH"; emit changed true
    [ "$DIFF" = 1 ] && diff_of None "$RH"
    done_
  fi
  mkdir -p "\${DEST%/*}" 2>/dev/null
  set -- clone; if [ "$BARE" = 1 ]; then set -- "$@" --bare; else set -- "$@" --origin "$REMOTE"; fi
  _bt=0; if is_remote_branch "$REPO" "$VERSION" || is_remote_tag "$REPO" "$VERSION"; then _bt=1; fi
  if [ "$DEPTH" -gt 0 ]; then
    if [ "$VERSION" = HEAD ] || [ -n "$REFSPEC" ]; then set -- "$@" --depth "$DEPTH"
    elif [ "$_bt" = 1 ]; then set -- "$@" --depth "$DEPTH" --branch "$VERSION"
    else warn 'Ignoring depth argument. Shallow clones are only available for HEAD, branches, tags or in combination with refspec.'; fi
  fi
  [ -n "$REFERENCE" ] && set -- "$@" --reference "$REFERENCE"
  if [ "$SINGLE" = 1 ]; then set -- "$@" --single-branch; [ "$_bt" = 1 ] && set -- "$@" --branch "$VERSION"; fi
  [ -n "$SGD" ] && set -- "$@" "--separate-git-dir=$SGD"
  set -- "$@" "$REPO" "$DEST"
  gc "\${DEST%/*}" "$@"
  [ "$BARE" = 1 ] && [ "$REMOTE" != origin ] && gc "$DEST" remote add "$REMOTE" "$REPO"
  if [ -n "$REFSPEC" ]; then
    if [ "$DEPTH" -gt 0 ]; then gc "$DEST" fetch --depth "$DEPTH" "$REMOTE" "$REFSPEC"; else gc "$DEST" fetch "$REMOTE" "$REFSPEC"; fi
  fi
  [ "$VERIFY" = 1 ] && verify_sign "$VERSION"
elif [ "$UPDATE" = 0 ]; then
  version_of; emit before "$V"; emit after "$V"
  if [ -n "$ARCHIVE" ]; then [ "$CHECK" = 1 ] && { emit changed true; done_; }; archive; fi
  done_
else
  if [ "$BARE" = 0 ]; then g "$DEST" status --porcelain; [ -n "$(printf '%s\n' "$OUT" | grep -v '^??' | grep .)" ] && LOCAL_MODS=1; fi
  version_of; BEFORE=$V; emit before "$BEFORE"
  if [ "$LOCAL_MODS" = 1 ]; then
    [ "$FORCE" = 1 ] || { emit changed false; emit keep 1; fail "Local modifications exist in the destination: $DEST (force=no)."; }
    if [ "$CHECK" = 0 ]; then gc "$DEST" reset --hard HEAD; emit changed true; emit msg "Local modifications exist in the destination: $DEST"; fi
  fi
  if [ "$CHECK" = 1 ]; then
    remote_url; RUC=false
    [ -n "$RU" ] && [ "$RU" != "$REPO" ] && [ "$(unfrack "$RU")" != "$(unfrack "$REPO")" ] && RUC=true
    emit remote_url_changed "$RUC"
    remote_head "$REMOTE"; emit after "$RH"
    if [ "$BEFORE" != "$RH" ] || [ "$RUC" = true ]; then emit changed true; else emit changed false; fi
    [ "$DIFF" = 1 ] && diff_of "$BEFORE" "$RH"
    done_
  fi
  set_remote_url; RUC=$SRU; emit remote_url_changed "$RUC"
  fetch "$VERSION" "$REFSPEC" "$FORCE"
fi
[ "$BARE" = 1 ] || switch_version
SUBS=0; if [ "$RECURSIVE" = 1 ] && [ "$BARE" = 0 ]; then submodules_fetch; if [ "$SUBS" = 1 ]; then emit submodules_changed true; submodule_update; fi; fi
version_of; emit after "$V"
if [ "$BEFORE" != "$V" ] || [ "$LOCAL_MODS" = 1 ] || [ "$SUBS" = 1 ] || [ "$RUC" = true ]; then
  emit changed true; [ "$DIFF" = 1 ] && diff_of "$BEFORE" "$V"
fi
[ -n "$ARCHIVE" ] && archive
done_
`;

const SWITCH = String.raw`
switch_version() {
  if [ "$VERSION" = HEAD ]; then
    head_branch; g "$DEST" checkout --force "$HB"
    [ "$RC" = 0 ] || { emit_io; fail "Failed to checkout branch $HB"; }
    set -- reset --hard "$REMOTE/$HB" --
  elif is_remote_branch "$REMOTE" "$VERSION"; then
    if [ "$DEPTH" -gt 0 ] && ! is_local_branch "$VERSION"; then
      g "$DEST" fetch "--depth=$DEPTH" "$REMOTE" "+refs/heads/$VERSION:refs/heads/$VERSION" "+refs/heads/$VERSION:refs/remotes/$REMOTE/$VERSION"
      [ "$RC" = 0 ] || { emit_io; fail "Failed to fetch branch from remote: $VERSION"; }
    fi
    if ! is_local_branch "$VERSION"; then set -- checkout --track -b "$VERSION" "$REMOTE/$VERSION"
    else
      g "$DEST" checkout --force "$VERSION"
      [ "$RC" = 0 ] || { emit_io; fail "Failed to checkout branch $VERSION"; }
      set -- reset --hard "$REMOTE/$VERSION"
    fi
  else set -- checkout --force "$VERSION"; fi
  g "$DEST" "$@"
  if [ "$RC" != 0 ]; then
    if [ "$VERSION" != HEAD ]; then fail_str "Failed to checkout $VERSION"; else fail_str "Failed to checkout branch $HB"; fi
  fi
  [ "$VERIFY" = 1 ] && verify_sign "$VERSION"; return 0
}
verify_sign() {
  g "$DEST" for-each-ref refs/tags/ --format '%(objecttype):%(refname:short)'
  [ "$RC" = 0 ] || { emit_io; fail "Could not determine tag data - received $OUT"; }
  _sub=verify-commit; printf '%s\n' "$OUT" | grep -qxF "tag:$1" && _sub=verify-tag
  if [ "$HAVE_WL" = 1 ]; then g "$DEST" "$_sub" "$1" --raw; else g "$DEST" "$_sub" "$1"; fi
  [ "$RC" = 0 ] || { emit_io; fail "Failed to verify GPG signature of commit/tag \"$1\""; }
  if [ "$HAVE_WL" = 1 ]; then
    _fp=$(awk '$2 == "VALIDSIG" { print (NF == 11 ? $12 : $3); exit }' "$T/err")
    printf '%s\n' "$WL" | grep -qxF -e "$_fp" || { emit_io; fail "The gpg_whitelist does not include the public key \"$_fp\" for this commit"; }
  fi
}
relocate() {
  [ -e "$1" ] && fail "Separate-git-dir path $1 already exists."
  if mv "$2" "$1" 2>"$T/mv" && printf 'gitdir: %s' "$1" > "$3/.git" 2>>"$T/mv"; then emit git_dir_before "$2"; emit git_dir_now "$1"
  else [ -e "$1" ] && mv "$1" "$2"; fail "Unable to move git dir. $(cat "$T/mv")"; fi
}
submodules_fetch() {
  [ -f "$DEST/.gitmodules" ] || return 0
  while IFS= read -r _l; do
    _s=$(printf '%s' "$_l" | sed 's/^[[:space:]]*//')
    case $_s in path*) _p=$(printf '%s' "\${_s#*=}" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//'); [ -e "$DEST/$_p/.git" ] || { SUBS=1; return 0; };; esac
  done < "$DEST/.gitmodules"
  gc "$DEST" submodule foreach "$GIT" rev-parse HEAD; _begin=$OUT
  gc "$DEST" submodule foreach "$GIT" fetch
  if [ "$TRACK" = 1 ]; then
    gc "$DEST" submodule foreach "$GIT" rev-parse "$REMOTE/master"; [ "$OUT" = "$_begin" ] || SUBS=1
  else
    gc "$DEST" submodule status; printf '%s\n' "$OUT" | grep -q '^[^ ]' && SUBS=1
  fi
  return 0
}
submodule_update() {
  [ -f "$DEST/.gitmodules" ] || return 0
  gc "$DEST" submodule sync
  set -- submodule update --init --recursive; [ "$TRACK" = 1 ] && set -- "$@" --remote; [ "$FORCE" = 1 ] && set -- "$@" --force
  g "$DEST" "$@"; [ "$RC" = 0 ] || fail "Failed to init/update submodules: $OUT$ERR"
}
archive() {
  case $ARCHIVE in *.zip) _f=zip;; *.gz) _f=tar.gz;; *.tar) _f=tar;; *.tgz) _f=tgz;; *) emit details "Please specify archive as filename with extension. File extension can be one of ['tar', 'tar.gz', 'zip', 'tgz']"; fail "Unable to get file extension from archive file name : $ARCHIVE";; esac
  _to=$ARCHIVE; [ -e "$ARCHIVE" ] && _to=$T/new.$_f
  set -- archive --format "$_f" --output "$_to"; [ "$HAVE_PREFIX" = 1 ] && set -- "$@" --prefix "$ARCHIVE_PREFIX"
  g "$DEST" "$@" "$VERSION"
  [ "$RC" = 0 ] || { emit details "Git archive command failed to create archive $_to using $DEST directory.Error: $ERR"; fail 'Failed to perform archive operation'; }
  if [ "$_to" = "$ARCHIVE" ]; then emit changed true
  elif cmp -s "$_to" "$ARCHIVE"; then emit changed false
  else mv -f "$_to" "$ARCHIVE" || fail "Failed to move $_to to $ARCHIVE"; emit changed true; fi
}
`;

const b = (v: boolean) => (v ? '1' : '0');

/** The whole script, its parameters first (every value through quote()). */
export function gitScript(p: GitScriptParams): string {
  const vars: [string, string][] = [
    ['M', p.marker],
    ['GIT', p.git],
    ['REPO', p.repo],
    ['DEST', p.dest],
    ['VERSION', p.version],
    ['REMOTE', p.remote],
    ['REFSPEC', p.refspec],
    ['REFERENCE', p.reference],
    ['DEPTH', String(p.depth)],
    ['BARE', b(p.bare)],
    ['CLONE', b(p.clone)],
    ['UPDATE', b(p.update)],
    ['FORCE', b(p.force)],
    ['CHECK', b(p.check)],
    ['DIFF', b(p.diff)],
    ['RECURSIVE', b(p.recursive)],
    ['TRACK', b(p.trackSubmodules)],
    ['SINGLE', b(p.singleBranch)],
    ['ACCEPT_HOSTKEY', b(p.acceptHostkey)],
    ['ACCEPT_NEW', b(p.acceptNewhostkey)],
    ['HAVE_SSH_OPTS', b(p.sshOpts !== undefined)],
    ['SSH_OPTS', p.sshOpts ?? ''],
    ['KEYFILE', p.keyFile],
    ['ARCHIVE', p.archive],
    ['HAVE_PREFIX', b(p.archivePrefix !== undefined)],
    ['ARCHIVE_PREFIX', p.archivePrefix ?? ''],
    ['SGD', p.separateGitDir],
    ['VERIFY', b(p.verifyCommit)],
    ['HAVE_WL', b((p.gpgWhitelist ?? []).length > 0)],
    ['WL', (p.gpgWhitelist ?? []).join('\n')],
  ];
  const head = vars.map(([k, v]) => `${k}=${quote(v)}`).join('\n');
  const umask = p.umask !== undefined ? `umask ${quote(p.umask)}\n` : '';
  // String.raw keeps the backslash of \${ (written so for TypeScript): the shell wants none
  const body = `${LIB}${SWITCH}${MAIN}`.replaceAll('\\${', '${');
  return `${head}\n${umask}${body}`;
}
