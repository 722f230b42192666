# SIMULATION for the rackplay lab: the iptables 1.2.11 command line over the table state files
# (/var/lib/rackplay-sim/iptables/TABLE: ":CHAIN POLICY" lines, then "-A CHAIN rule" lines
# in canonical iptables-save form). Run by sbin/iptables with -f ipt-canon.awk.
function builtin(t, c) { return index(" " BUILTIN[t] " ", " " c " ") > 0 }
function known_target(t) { return index(" ACCEPT DROP REJECT LOG RETURN QUEUE MASQUERADE SNAT DNAT REDIRECT MARK TOS ULOG MIRROR TCPMSS CLASSIFY NOTRACK CONNMARK NETMAP SAME ", " " t " ") > 0 }
function fail(msg, rc) { print msg > "/dev/stderr"; RC = rc; exit rc }
function usagefail(msg) { print "iptables v1.2.11: " msg > "/dev/stderr"; print "Try `iptables -h' or 'iptables --help' for more information." > "/dev/stderr"; RC = 2; exit 2 }
function load(t,   f, l, c, p) {
  nch = 0; nr = 0; delete POL; delete CH
  f = STATE "/" t
  while ((getline l < f) > 0) {
    if (l ~ /^:/) { split(substr(l, 2), p, " "); CH[++nch] = p[1]; POL[p[1]] = p[2] }
    else if (l ~ /^-A /) { l = substr(l, 4); c = substr(l, 1, index(l " ", " ") - 1); nr++; RCH[nr] = c; RR[nr] = substr(l, length(c) + 2) }
  }
  close(f)
  if (!nch) { split(BUILTIN[t], p, " "); for (c = 1; p[c] != ""; c++) { CH[++nch] = p[c]; POL[p[c]] = "ACCEPT" } }
}
function store(t,   f, i, c) {
  f = STATE "/" t ".new"
  printf "" > f
  for (c = 1; c <= nch; c++) if (CH[c] != "") print ":" CH[c], POL[CH[c]] > f
  for (c = 1; c <= nch; c++) for (i = 1; i <= nr; i++) if (!DEL[i] && RCH[i] == CH[c]) print "-A " CH[c] (RR[i] != "" ? " " RR[i] : "") > f
  close(f)
  system("mv -f " f " " STATE "/" t)
}
function haschain(c,   i) { for (i = 1; i <= nch; i++) if (CH[i] == c) return 1; return 0 }
function chainrules(c, idx,   i, n) { n = 0; for (i = 1; i <= nr; i++) if (!DEL[i] && RCH[i] == c) idx[++n] = i; return n }
function refs(c,   i, n) { n = 0; for (i = 1; i <= nr; i++) if (!DEL[i] && (RR[i] ~ ("(^| )-j " c "( |$)"))) n++; return n }
function target_of(r) { if (match(r, /-j [^ ]+/)) return substr(r, RSTART + 3, RLENGTH - 3); return "" }
function checktarget(r,   tg) { tg = target_of(r); if (tg != "" && !known_target(tg) && !haschain(tg)) fail("iptables: No chain/target/match by that name", 1) }
function insert_at(c, pos, r,   i, idx, n, at) {
  # rebuild with the new rule before the pos-th rule of chain c (pos = n+1 appends)
  n = chainrules(c, idx)
  if (pos > n + 1 || pos < 1) fail("iptables: Index of insertion too big", 1)
  at = (pos <= n) ? idx[pos] : nr + 1
  for (i = nr; i >= at; i--) { RCH[i + 1] = RCH[i]; RR[i + 1] = RR[i]; DEL[i + 1] = DEL[i] }
  RCH[at] = c; RR[at] = r; DEL[at] = 0; nr++
}
function desc(r,   out, t, a) {
  # iptables -L's match column from the canonical rule
  out = ""
  if (match(r, /-m state --state [^ ]+/)) { t = substr(r, RSTART, RLENGTH); sub(/-m state --state /, "", t); out = out "state " t " " }
  if (match(r, /-m (tcp|udp) [^-]*(--[a-z-]+ [^ ]+ ?)+/)) {
    t = substr(r, RSTART, RLENGTH); split(t, a, " "); out = out a[2]
    if (match(t, /--sport [^ ]+/)) out = out " spt:" substr(t, RSTART + 8, RLENGTH - 8)
    if (match(t, /--dport [^ ]+/)) out = out " dpt:" substr(t, RSTART + 8, RLENGTH - 8)
    if (match(t, /--tcp-flags SYN,RST,ACK SYN/)) out = out " flags:0x16/0x02"
    out = out " "
  }
  if (match(r, /--icmp-type [^ ]+/)) { t = substr(r, RSTART + 12, RLENGTH - 12); out = out "icmp type " (t == "any" ? 255 : t) " " }
  if (match(r, /--reject-with [^ ]+/)) out = out "reject-with " substr(r, RSTART + 14, RLENGTH - 14) " "
  return out
}
function field(r, opt, dflt,   t) { if (match(r, "(^| )" opt " (! )?[^ ]+")) { t = substr(r, RSTART, RLENGTH); sub("^ ?" opt " ", "", t); return t }; return dflt }
function list(t, only,   c, i, idx, n, r, src, dst, pr, tg, k) {
  first = 1
  for (c = 1; c <= nch; c++) {
    if (only != "" && CH[c] != only) continue
    if (!first) print ""; first = 0
    if (builtin(t, CH[c])) print "Chain " CH[c] " (policy " POL[CH[c]] ")"; else print "Chain " CH[c] " (" refs(CH[c]) " references)"
    print (linenum ? "num  " : "") "target     prot opt source               destination         "
    n = chainrules(CH[c], idx)
    for (k = 1; k <= n; k++) {
      r = RR[idx[k]]
      src = field(r, "-s", "0.0.0.0/0"); dst = field(r, "-d", "0.0.0.0/0"); pr = field(r, "-p", "all"); tg = target_of(r)
      sub(/\/32$/, "", src); sub(/\/32$/, "", dst)
      if (!numeric) { if (src == "0.0.0.0/0") src = "anywhere"; if (dst == "0.0.0.0/0") dst = "anywhere" }
      printf "%s%-10s %-4s %-3s %-20s %-20s%s\n", (linenum ? sprintf("%-4d ", k) : ""), tg, pr, "--", src, dst, desc(r)
    }
  }
}
BEGIN {
  BUILTIN["filter"] = "INPUT FORWARD OUTPUT"; BUILTIN["nat"] = "PREROUTING POSTROUTING OUTPUT"; BUILTIN["mangle"] = "PREROUTING INPUT FORWARD OUTPUT POSTROUTING"
  n = split(ENVIRON["ARGS"], A, "\n"); n--
  table = "filter"; cmd = ""; rule = ""
  if (mode == "save") {
    one = ""
    for (a = 1; a <= n; a++) { if (A[a] == "-t" || A[a] == "--table") one = A[++a]; else if (A[a] ~ /^--table=/) one = substr(A[a], 9); else if (A[a] == "-c" || A[a] == "--counters") ; else fail("iptables-save: unknown option " A[a], 1) }
    if (one != "" && !(one in BUILTIN)) fail("iptables-save: Can't initialize: Table does not exist (do you need to insmod?)", 1)
    cmdl = "date '+%a %b %e %T %Y'"; cmdl | getline now; close(cmdl)
    split("filter nat mangle", T, " ")
    for (ti = 1; ti <= 3; ti++) {
      t = T[ti]
      if (one != "" && t != one) continue
      if (one == "" && system("test -f " STATE "/" t) != 0) continue
      load(t); if (one != "") store(t)
      print "# Generated by iptables-save v1.2.11 on " now
      print "*" t
      for (c = 1; c <= nch; c++) print ":" CH[c] " " (builtin(t, CH[c]) ? POL[CH[c]] : "-") " [0:0]"
      for (c = 1; c <= nch; c++) for (i = 1; i <= nr; i++) if (RCH[i] == CH[c]) print "-A " CH[c] (RR[i] != "" ? " " RR[i] : "")
      print "COMMIT"
      print "# Completed on " now
    }
    exit 0
  }
  if (mode == "restore") {
    noflush = 0
    for (a = 1; a <= n; a++) { if (A[a] == "-n" || A[a] == "--noflush") noflush = 1; else if (A[a] == "-c" || A[a] == "--counters" || A[a] == "-v" || A[a] == "--verbose" || A[a] == "-t" || A[a] == "--test") ; else fail("iptables-restore: unknown option " A[a], 1) }
    ln = 0; t = ""
    while ((getline l < "/dev/stdin") > 0) {
      ln++
      if (l ~ /^[ \t]*(#|$)/) continue
      if (l ~ /^\*/) { t = substr(l, 2); if (!(t in BUILTIN)) fail("iptables-restore: unable to initialize table '" t "'\n\nError occurred at line: " ln "\nTry `iptables-restore -h' or 'iptables-restore --help' for more information.", 1); load(t); if (!noflush) { nr = 0; delete DEL; split(BUILTIN[t], p, " "); nch = 0; delete POL; for (c = 1; p[c] != ""; c++) { CH[++nch] = p[c]; POL[p[c]] = "ACCEPT" } }; continue }
      if (t == "") fail("iptables-restore: no table specified at line " ln, 1)
      if (l ~ /^COMMIT/) { store(t); t = ""; continue }
      if (l ~ /^:/) { split(substr(l, 2), p, " "); if (!haschain(p[1])) CH[++nch] = p[1]; if (p[2] != "-") POL[p[1]] = p[2]; continue }
      if (l ~ /^-[AI] /) {
        words = shellsplit(l); split(words, wv, "\001"); c = wv[2]
        if (!haschain(c)) fail("iptables-restore: line " ln " failed", 1)
        rest = words; sub(/^[^\001]*\001[^\001]*\001?/, "", rest)
        r = canon(rest); if (r ~ /^!ERR /) { print "iptables v1.2.11: " substr(r, 6) > "/dev/stderr"; fail("iptables-restore: line " ln " failed", 1) }
        tg = target_of(r); if (tg != "" && !known_target(tg) && !haschain(tg)) fail("iptables-restore: line " ln " failed", 1)
        if (l ~ /^-A/) { nr++; RCH[nr] = c; RR[nr] = r; DEL[nr] = 0 } else insert_at(c, 1, r)
        continue
      }
      fail("iptables-restore: line " ln " failed", 1)
    }
    if (t != "") fail("iptables-restore: COMMIT expected at line " ln + 1, 1)
    exit 0
  }
  # iptables
  for (a = 1; a <= n; a++) {
    x = A[a]
    if (x == "-t" || x == "--table") { table = A[++a]; continue }
    if (x == "-n" || x == "--numeric") { numeric = 1; continue }
    if (x == "-v" || x == "--verbose" || x == "-x" || x == "--exact") continue
    if (x == "--line-numbers") { linenum = 1; continue }
    if (x == "-V" || x == "--version") { print "iptables v1.2.11"; exit 0 }
    if (x == "-h" || x == "--help") { print "iptables v1.2.11"; print ""; print "Usage: iptables -[AD] chain rule-specification [options]"; exit 0 }
    if (x == "-C" || x == "--check") usagefail("Will be implemented real soon.  I promise ;)")
    if (x == "-S" || x == "--list-rules") usagefail("unknown option `" x "'")
    if (x ~ /^-[ADIRLFZNXPE]$/ || x ~ /^--(append|delete|insert|replace|list|flush|zero|new-chain|delete-chain|policy|rename-chain)$/) {
      if (cmd != "") usagefail("Can't use -" substr(x, 2, 1) " with -" cmd)
      cmd = x; sub(/^--?/, "", cmd)
      cmd = (cmd == "append" ? "A" : cmd == "delete" ? "D" : cmd == "insert" ? "I" : cmd == "replace" ? "R" : cmd == "list" ? "L" : cmd == "flush" ? "F" : cmd == "zero" ? "Z" : cmd == "new-chain" ? "N" : cmd == "delete-chain" ? "X" : cmd == "policy" ? "P" : cmd == "rename-chain" ? "E" : cmd)
      if (a < n && A[a + 1] !~ /^-/) chain = A[++a]
      if ((cmd == "I" || cmd == "D" || cmd == "R") && a < n && A[a + 1] ~ /^[0-9]+$/) num = A[++a]
      if ((cmd == "P" || cmd == "E") && a < n) arg2 = A[++a]
      continue
    }
    rule = rule (rule == "" ? "" : "\001") x
  }
  if (cmd == "") usagefail("no command specified")
  if (!(table in BUILTIN)) fail("iptables v1.2.11: can't initialize iptables table `" table "': Table does not exist (do you need to insmod?)\nPerhaps iptables or your kernel needs to be upgraded.", 3)
  if (ENVIRON["UID0"] != "1") fail("iptables v1.2.11: can't initialize iptables table `" table "': Permission denied (you must be root)\nPerhaps iptables or your kernel needs to be upgraded.", 3)
  load(table)
  if ((cmd == "A" || cmd == "I" || cmd == "D" || cmd == "R") && chain == "") usagefail("-" cmd " requires a chain")
  if (chain != "" && cmd != "N" && !haschain(chain)) fail("iptables: No chain/target/match by that name", 1)
  if (cmd == "L") { list(table, chain); exit 0 }
  if (cmd == "A" || cmd == "I" || cmd == "R") {
    r = canon(rule); if (r ~ /^!ERR /) usagefail(substr(r, 6))
    checktarget(r)
    if (cmd == "A") { nr++; RCH[nr] = chain; RR[nr] = r; DEL[nr] = 0 }
    else if (cmd == "I") insert_at(chain, num == "" ? 1 : num + 0, r)
    else { k = chainrules(chain, idx); if (num + 0 < 1 || num + 0 > k) fail("iptables: Index of replacement too big", 1); RR[idx[num + 0]] = r }
  } else if (cmd == "D") {
    k = chainrules(chain, idx)
    if (num != "") { if (num + 0 < 1 || num + 0 > k) fail("iptables: Index of deletion too big", 1); DEL[idx[num + 0]] = 1 }
    else { r = canon(rule); if (r ~ /^!ERR /) usagefail(substr(r, 6)); found = 0; for (j = 1; j <= k; j++) if (RR[idx[j]] == r) { DEL[idx[j]] = 1; found = 1; break }; if (!found) fail("iptables: Bad rule (does a matching rule exist in that chain?)", 1) }
  } else if (cmd == "F") { for (i = 1; i <= nr; i++) if (chain == "" || RCH[i] == chain) DEL[i] = 1 }
  else if (cmd == "Z") { }
  else if (cmd == "N") { if (chain == "") usagefail("-N requires a chain"); if (haschain(chain)) fail("iptables: Chain already exists", 1); CH[++nch] = chain }
  else if (cmd == "X") {
    for (c = 1; c <= nch; c++) {
      if (builtin(table, CH[c]) || (chain != "" && CH[c] != chain)) continue
      if (chain != "" && builtin(table, chain)) fail("iptables: Invalid argument", 1)
      if (refs(CH[c])) fail("iptables: Too many links", 1)
      if (chainrules(CH[c], idx)) fail("iptables: Directory not empty", 1)
      CH[c] = ""
    }
    if (chain != "" && builtin(table, chain)) fail("iptables: Invalid argument", 1)
  } else if (cmd == "P") {
    if (!builtin(table, chain)) fail("iptables: Bad built-in chain name", 1)
    if (arg2 != "ACCEPT" && arg2 != "DROP") fail("iptables: Bad policy name", 1)
    POL[chain] = arg2
  } else if (cmd == "E") { if (haschain(arg2)) fail("iptables: File exists", 1); for (c = 1; c <= nch; c++) if (CH[c] == chain) CH[c] = arg2; for (i = 1; i <= nr; i++) if (RCH[i] == chain) RCH[i] = arg2 }
  store(table)
  exit 0
}
function shellsplit(s,   out, i, ch, q, w, inw) {
  # words of an iptables-restore line: blanks separate, double quotes group
  out = ""; w = ""; q = 0; inw = 0
  for (i = 1; i <= length(s); i++) {
    ch = substr(s, i, 1)
    if (ch == "\"") { q = !q; inw = 1; continue }
    if (!q && (ch == " " || ch == "\t")) { if (inw) { out = out (out == "" ? "" : "\001") w; w = ""; inw = 0 }; continue }
    w = w ch; inw = 1
  }
  if (inw) out = out (out == "" ? "" : "\001") w
  return out
}
END { exit RC }
