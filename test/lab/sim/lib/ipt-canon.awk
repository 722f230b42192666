# SIMULATION for the rackplay lab: turns an iptables rule spec (the words after -A CHAIN) into
# the line iptables-save 1.2.11 would print for it: base options in the kernel's order
# (-s -d -i -o -p -f), then the matches in load order, with the implicit protocol match
# (-m tcp/udp/icmp) iptables adds for --dport/--sport/--icmp-type..., CIDR masks as dotted
# quads, host masks dropped, default --reject-with filled in, state flags in kernel order.
# canon(words) takes the words separated by \001 and returns the canonical rule, or
# "!ERR message" for what iptables 1.2.11 rejects.
function dotted(bits,   m, i, o, v) {
  m = ""
  for (i = 0; i < 4; i++) { o = bits >= 8 ? 8 : (bits > 0 ? bits : 0); bits -= 8; v = o == 0 ? 0 : 256 - 2 ^ (8 - o); m = m (i ? "." : "") v }
  return m
}
function addr(a,   ip, mask, n, q, mq, k, bits, b, v, contiguous, zero) {
  # iptables-save prints a host as ip/32, a contiguous mask as /bits, any other as dotted.
  if (index(a, "/") == 0) return a "/32"
  ip = substr(a, 1, index(a, "/") - 1); mask = substr(a, index(a, "/") + 1)
  if (mask ~ /^[0-9]+$/) mask = dotted(mask + 0)
  n = split(ip, q, "."); split(mask, mq, ".")
  bits = 0; contiguous = 1; zero = 0
  for (k = 1; k <= 4; k++) {
    v = mq[k] + 0
    for (b = 128; b >= 1; b /= 2) { if (v >= b) { if (zero) contiguous = 0; bits++; v -= b } else zero = 1 }
  }
  if (n == 4) { ip = ""; for (k = 1; k <= 4; k++) ip = ip (k > 1 ? "." : "") and8(q[k] + 0, mq[k] + 0) }
  if (bits == 0) return ""
  return ip "/" (contiguous ? bits : mask)
}
function and8(a, b,   r, bit) { r = 0; for (bit = 128; bit >= 1; bit /= 2) { if (a >= bit && b >= bit) r += bit; if (a >= bit) a -= bit; if (b >= bit) b -= bit }; return r }
function proto(p) { p = tolower(p); if (p == "6") return "tcp"; if (p == "17") return "udp"; if (p == "1") return "icmp"; if (p == "50") return "esp"; if (p == "51") return "ah"; if (p == "0") return "all"; return p }
function stateorder(s,   n, a, i, out, k, ord) {
  n = split(toupper(s), a, ","); out = ""
  split("INVALID NEW RELATED ESTABLISHED UNTRACKED", ord, " ")
  for (k = 1; k <= 5; k++) for (i = 1; i <= n; i++) if (a[i] == ord[k]) { out = out (out == "" ? "" : ",") ord[k]; break }
  return out
}
function quoteval(v) { return (v ~ /[ \t"]/ || v == "") ? "\"" v "\"" : v }
function loadmatch(m) { if (!(m in LOADED)) { LOADED[m] = 1; MORDER[++nm] = m; MOPTS[m] = "" } }
function mopt(m, s) { MOPTS[m] = MOPTS[m] " " s }
function canon(line,   n, W, k, w, v, bang, m, opt, val, out, j, order, B, cur, p, base, target, topts, err, neg) {
  n = split(line, W, "\001")
  delete LOADED; delete MOPTS; nm = 0; base = ""; target = ""; topts = ""; err = ""; neg = 0
  B["s"] = ""; B["d"] = ""; B["i"] = ""; B["o"] = ""; B["p"] = ""; B["f"] = ""; cur = ""; p = ""
  for (k = 1; k <= n; k++) {
    w = W[k]
    if (w == "") continue
    if (w == "!") { neg = 1; continue }
    bang = neg ? "! " : ""; neg = 0
    if (w == "-s" || w == "--source" || w == "--src") { v = W[++k]; if (v == "!") { bang = "! "; v = W[++k] }; v = addr(v); B["s"] = (v == "" && bang == "") ? "" : "-s " bang (v == "" ? "0.0.0.0/0" : v); continue }
    if (w == "-d" || w == "--destination" || w == "--dst") { v = W[++k]; if (v == "!") { bang = "! "; v = W[++k] }; v = addr(v); B["d"] = (v == "" && bang == "") ? "" : "-d " bang (v == "" ? "0.0.0.0/0" : v); continue }
    if (w == "-i" || w == "--in-interface") { v = W[++k]; if (v == "!") { bang = "! "; v = W[++k] }; B["i"] = "-i " bang v; continue }
    if (w == "-o" || w == "--out-interface") { v = W[++k]; if (v == "!") { bang = "! "; v = W[++k] }; B["o"] = "-o " bang v; continue }
    if (w == "-p" || w == "--protocol") { v = W[++k]; if (v == "!") { bang = "! "; v = W[++k] }; p = proto(v); B["p"] = "-p " bang p; continue }
    if (w == "-f" || w == "--fragment") { B["f"] = bang "-f"; continue }
    if (w == "-m" || w == "--match") {
      m = W[++k]
      if (m == "comment") { err = "Couldn't load match `comment':/lib/iptables/libipt_comment.so: cannot open shared object file: No such file or directory"; break }
      loadmatch(m); cur = m; continue
    }
    if (w == "-j" || w == "--jump") { target = W[++k]; cur = "TARGET"; continue }
    if (w == "-g" || w == "--goto") { err = "unknown option `--goto'"; break }
    if (w ~ /^--/) {
      opt = w; val = ""
      if (opt == "--syn") { opt = "--tcp-flags"; val = "SYN,RST,ACK SYN" }
      else if (opt == "--tcp-flags") { val = W[k + 1] " " W[k + 2]; k += 2 }
      else if (opt != "--log-tcp-sequence" && opt != "--log-tcp-options" && opt != "--log-ip-options" && opt != "--rsource" && opt != "--rcheck" && opt != "--update" && opt != "--set" && opt != "--remove") { val = W[++k]; if (val == "!") { bang = "! "; val = W[++k] } }
      if (opt == "--destination-port") opt = "--dport"; if (opt == "--source-port") opt = "--sport"
      if (cur == "TARGET") {
        topts = topts " " opt (val != "" ? " " quoteval(val) : ""); continue
      }
      if (opt == "--dport" || opt == "--sport" || opt == "--tcp-flags" || opt == "--icmp-type" || opt == "--tcp-option") {
        if (cur == "" || !(cur == "tcp" || cur == "udp" || cur == "icmp" || cur == "multiport")) {
          if (p == "") { err = "Unknown arg `" opt "'"; break }
          loadmatch(p); cur = p
        }
      }
      if (cur == "") { err = "Unknown arg `" opt "'"; break }
      if (opt == "--state") val = stateorder(val)
      if (opt == "--comment") val = quoteval(val)
      mopt(cur, (bang != "" ? "! " : "") opt (val != "" ? " " val : ""))
      continue
    }
    err = "Bad argument `" w "'"; break
  }
  if (err != "") return "!ERR " err
  if (target == "REJECT" && topts !~ /--reject-with/) topts = topts " --reject-with icmp-port-unreachable"
  if (target == "LOG" && topts ~ /--log-level 4( |$)/) sub(/ --log-level 4/, "", topts)
  if (target == "LOG" && topts ~ /--log-prefix/) { }
  out = ""
  split("s d i o p f", order, " ")
  for (j = 1; j <= 6; j++) if (B[order[j]] != "") out = out " " B[order[j]]
  for (j = 1; j <= nm; j++) out = out " -m " MORDER[j] MOPTS[MORDER[j]]
  if (target != "") out = out " -j " target topts
  sub(/^ /, "", out)
  return out
}
