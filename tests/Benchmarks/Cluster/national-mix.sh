# The national protocol mix for run.sh (`--mix national`), sourced by it: the storages users have, each a storage
# identity of its own (protocol, address, port, login), all served by real servers this script starts from the
# benchmark's work dir (never the shared peers): of every 100 storages, 40 plain FTP and 10 explicit FTPS with TLS
# session reuse required (vsftpd, the seed's reference server), 20 nginx (exact sizes) and 15 Apache (its default
# fancy listing: sizes rounded to "52K"), 15 SFTP (OpenSSH internal-sftp). Storage i serves tree s<i> (hard links of the
# same tiles, see gen_cluster_tree.py) whatever its protocol.
#
# Identities differ by loopback address (127.0.<protocol>.<n>), so every server listens on one port of the client
# range 9420-9439 (MIX_PORT_BASE, default 9420): nginx +0, Apache +1, FTP +2, FTPS +3, SFTP +4, FTP passive ports
# +12..+19 (vsftpd binds a passive socket to the control connection's own address, so instances share that range).
# FTP and SFTP log in as the peers' account (PEERS_USER/PEERS_PASS, made by tests/peers/start.sh); the driver declares
# the password as cipher text of the silos' key ring and pins the FTPS certificate and SSH host key.
#
# Every server logs each read with its bytes (nginx and Apache access logs, vsftpd transfer lines, sftp-server's
# "close ... bytes read"); mix_log_files lists those logs for the byte sampler and mix_reads.py counts a phase's reads.

MIX_PORT_BASE=${MIX_PORT_BASE:-9420}
MIX_USER=${PEERS_USER:-peer} MIX_PASS=${PEERS_PASS:-peerpass}
MIX_DIR=$W/mix

# Storages of each protocol for S storages: the shares above, rounded down, the rest to nginx.
mix_counts() { # S -> "ftp ftps nginx apache sftp"
  local s=$1 ftp ftps apache sftp
  ftp=$((s * 40 / 100)) ftps=$((s * 10 / 100)) apache=$((s * 15 / 100)) sftp=$((s * 15 / 100))
  echo "$ftp $ftps $((s - ftp - ftps - apache - sftp)) $apache $sftp"
}

mix_stop() {
  for f in "$MIX_DIR"/run/*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f" 2>/dev/null) || continue
    # apache2's and nginx's pid files name the parent; QUIT/TERM ends their workers too.
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
    rm -f "$f"
  done
}

# Pids of the mix's servers (their parents: CPU of finished children counts through cutime/cstime).
mix_pids() { cat "$MIX_DIR"/run/*.pid 2>/dev/null; }

# The logs that record reads, in a fixed order (the byte sampler writes their sizes in this order).
mix_log_files() { ls "$MIX_DIR"/logs/*.log; }

mix_vsftpd_conf() { # name address port pasv_lo pasv_hi root [extra lines...]
  local name=$1 addr=$2 port=$3 lo=$4 hi=$5 root=$6; shift 6
  { cat <<EOF
listen=YES
listen_ipv6=NO
listen_address=$addr
listen_port=$port
background=NO
anonymous_enable=NO
local_enable=YES
write_enable=NO
chroot_local_user=YES
local_root=$root
pasv_enable=YES
pasv_min_port=$lo
pasv_max_port=$hi
secure_chroot_dir=$MIX_DIR/run/empty
pam_service_name=vsftpd
seccomp_sandbox=NO
xferlog_enable=YES
xferlog_std_format=NO
vsftpd_log_file=$MIX_DIR/logs/$name.log
EOF
  printf '%s\n' "$@"; } > "$MIX_DIR/conf/$name.conf"
  touch "$MIX_DIR/logs/$name.log" # vsftpd makes it at its first session: the byte sampler needs it from the start
}

# Starts every server and writes $W/run/storages.tsv (scheme host port path user password pins).
mix_start() { # S TREE
  local s=$1 tree=$2 ftp ftps nginx apache sftp i=0 k
  read -r ftp ftps nginx apache sftp <<<"$(mix_counts "$s")"
  mix_stop
  rm -rf "$MIX_DIR/logs" && mkdir -p "$MIX_DIR"/{conf,run/empty,logs,run/nginx}
  chmod 755 "$MIX_DIR/run/empty"
  local p_nginx=$MIX_PORT_BASE p_apache=$((MIX_PORT_BASE + 1)) p_ftp=$((MIX_PORT_BASE + 2)) p_ftps=$((MIX_PORT_BASE + 3))
  local p_sftp=$((MIX_PORT_BASE + 4)) pasv_lo=$((MIX_PORT_BASE + 12)) pasv_hi=$((MIX_PORT_BASE + 19))
  [ -s "$MIX_DIR/conf/cert.pem" ] || openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=pcrs-bench-mix \
      -keyout "$MIX_DIR/conf/key.pem" -out "$MIX_DIR/conf/cert.pem" 2>/dev/null
  chmod 600 "$MIX_DIR/conf/key.pem"
  [ -s "$MIX_DIR/conf/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -f "$MIX_DIR/conf/ssh_host_ed25519_key"
  # Pins as the product computes them: SHA-256 of the certificate's DER / of the host key, base64 without padding.
  local cert_pin ssh_pin
  cert_pin="SHA256:$(openssl x509 -in "$MIX_DIR/conf/cert.pem" -outform DER | openssl dgst -sha256 -binary | base64 | tr -d '=')"
  ssh_pin=$(ssh-keygen -lf "$MIX_DIR/conf/ssh_host_ed25519_key.pub" -E sha256 | awk '{print $2}')
  : > "$W/run/storages.tsv"
  row() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$W/run/storages.tsv"; }

  # FTP and explicit FTPS: one vsftpd per storage address, chrooted in its tree.
  local TLS=(ssl_enable=YES "rsa_cert_file=$MIX_DIR/conf/cert.pem" "rsa_private_key_file=$MIX_DIR/conf/key.pem"
             force_local_logins_ssl=YES force_local_data_ssl=YES ssl_tlsv1=NO ssl_sslv2=NO ssl_sslv3=NO ssl_ciphers=HIGH
             require_ssl_reuse=YES)
  for k in $(seq 1 "$ftp"); do
    mix_vsftpd_conf "ftp-$k" "127.0.3.$k" "$p_ftp" "$pasv_lo" "$pasv_hi" "$(printf '%s/s%03d' "$tree" $i)"
    row ftp "127.0.3.$k" "$p_ftp" / "$MIX_USER" "$MIX_PASS" ""; i=$((i + 1))
  done
  for k in $(seq 1 "$ftps"); do
    mix_vsftpd_conf "ftps-$k" "127.0.4.$k" "$p_ftps" "$pasv_lo" "$pasv_hi" "$(printf '%s/s%03d' "$tree" $i)" "${TLS[@]}"
    row ftpes "127.0.4.$k" "$p_ftps" / "$MIX_USER" "$MIX_PASS" "$cert_pin"; i=$((i + 1))
  done
  for conf in "$MIX_DIR"/conf/ftp*.conf; do
    name=$(basename "$conf" .conf)
    /usr/sbin/vsftpd "$conf" >"$MIX_DIR/run/$name.out" 2>&1 &
    echo $! > "$MIX_DIR/run/vsftpd-$name.pid"
  done

  # nginx: one server per storage address, exact sizes, every request logged unbuffered.
  {
    echo "worker_processes 2; pid $MIX_DIR/run/nginx.pid; error_log $MIX_DIR/run/nginx-error.txt warn;"
    echo "worker_rlimit_nofile 8192; events { worker_connections 4096; }"
    echo "http { include /etc/nginx/mime.types; default_type application/octet-stream; sendfile on;"
    for t in client_body proxy fastcgi uwsgi scgi; do echo "  ${t}_temp_path $MIX_DIR/run/nginx/$t;"; done
    echo "  log_format mix '\$msec \$status \$body_bytes_sent \"\$request\"';"
    echo "  access_log $MIX_DIR/logs/nginx-access.log mix;"
    for k in $(seq 1 "$nginx"); do
      printf '  server { listen 127.0.1.%d:%d; root %s/s%03d; location / { autoindex on; } }\n' "$k" "$p_nginx" "$tree" $i
      row http "127.0.1.$k" "$p_nginx" / "" "" ""; i=$((i + 1))
    done
    echo "}"
  } > "$MIX_DIR/conf/nginx.conf"
  nginx -c "$MIX_DIR/conf/nginx.conf" -p "$MIX_DIR/run"

  # Apache: one virtual host per storage address, Debian's default listing options (sizes rounded).
  {
    cat <<EOF
ServerRoot /etc/apache2
ServerName pcrs-bench-mix
PidFile $MIX_DIR/run/apache2.pid
DefaultRuntimeDir $MIX_DIR/run
Mutex file:$MIX_DIR/run default
ErrorLog $MIX_DIR/run/apache2-error.txt
LogLevel warn
User nobody
Group nogroup
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so
LoadModule autoindex_module /usr/lib/apache2/modules/mod_autoindex.so
LoadModule log_config_module /usr/lib/apache2/modules/mod_log_config.so
TypesConfig /etc/mime.types
LogFormat "%{%s}t.%{msec_frac}t %>s %B \"%r\"" mix
CustomLog $MIX_DIR/logs/apache2-access.log mix
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory $tree>
    Options Indexes
    Require all granted
    IndexOptions FancyIndexing VersionSort HTMLTable NameWidth=* DescriptionWidth=* Charset=UTF-8
</Directory>
EOF
    for k in $(seq 1 "$apache"); do
      printf 'Listen 127.0.2.%d:%d\n<VirtualHost 127.0.2.%d:%d>\n    ServerName 127.0.2.%d\n    DocumentRoot %s/s%03d\n</VirtualHost>\n' \
        "$k" "$p_apache" "$k" "$p_apache" "$k" "$tree" $i
      row http "127.0.2.$k" "$p_apache" / "" "" ""; i=$((i + 1))
    done
  } > "$MIX_DIR/conf/apache2.conf"
  # mod_log_config may be built in: then its LoadModule line is refused, so drop it.
  apache2 -t -f "$MIX_DIR/conf/apache2.conf" 2>/dev/null || sed -i '/mod_log_config/d' "$MIX_DIR/conf/apache2.conf"
  apache2 -f "$MIX_DIR/conf/apache2.conf" -k start

  # SFTP: one sshd on every SFTP storage address; the storage's start path is its tree (no chroot: /tmp is 1777).
  # sftp-server (read-only) logs each closed file with its bytes read; internal-sftp would log to syslog (none here)
  # and -E catches only the listener's lines, so the server logs to stderr (-e), which the user's shell appends to a file.
  local sftp_server="/usr/lib/openssh/sftp-server -R -e -l INFO 2>>$MIX_DIR/logs/sftp-server.log"
  touch "$MIX_DIR/logs/sftp-server.log" && chown "$MIX_USER" "$MIX_DIR/logs/sftp-server.log"
  {
    echo "Port $p_sftp"
    for k in $(seq 1 "$sftp"); do echo "ListenAddress 127.0.5.$k"; done
    cat <<EOF
HostKey $MIX_DIR/conf/ssh_host_ed25519_key
PidFile $MIX_DIR/run/sshd.pid
UsePAM yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers $MIX_USER
UseDNS no
LogLevel INFO
MaxStartups 200:30:400
Subsystem sftp $sftp_server
ForceCommand $sftp_server
AllowTcpForwarding no
X11Forwarding no
PermitTTY no
EOF
  } > "$MIX_DIR/conf/sshd_config"
  touch "$MIX_DIR/logs/sshd.log" "$MIX_DIR/logs/nginx-access.log" "$MIX_DIR/logs/apache2-access.log"
  for k in $(seq 1 "$sftp"); do
    row sftp "127.0.5.$k" "$p_sftp" "$(printf '%s/s%03d/' "$tree" $i)" "$MIX_USER" "$MIX_PASS" "$ssh_pin"; i=$((i + 1))
  done
  mkdir -p /run/sshd && chmod 755 /run/sshd
  /usr/sbin/sshd -f "$MIX_DIR/conf/sshd_config" -E "$MIX_DIR/logs/sshd.log"

  # Every server answers before the silos start.
  local wait_for
  for _ in $(seq 60); do
    wait_for=0
    for a in "127.0.3.1:$p_ftp" "127.0.4.1:$p_ftps" "127.0.1.1:$p_nginx" "127.0.2.1:$p_apache" "127.0.5.1:$p_sftp"; do
      ss -Hltn "src = $a" | grep -q . || wait_for=1
    done
    [ "$wait_for" = 0 ] && break
    sleep 0.5
  done
  [ "$wait_for" = 0 ] || { log "a mix server does not listen; see $MIX_DIR/run"; return 1; }
  curl -fs "http://127.0.2.1:$p_apache/" | grep -q 'lot00/' || { log "Apache does not list its tree"; return 1; }
  curl -fs --user "$MIX_USER:$MIX_PASS" "ftp://127.0.3.1:$p_ftp/" | grep -q 'lot00' || { log "vsftpd does not list its tree"; return 1; }
  log "mix: $ftp FTP, $ftps explicit FTPS, $nginx nginx, $apache Apache, $sftp SFTP storages"
}

# Puts every storage behind delay_relay.py (tests/Benchmarks/Latency): storage 127.0.<k>.<n> is reached as 127.1.<k>.<n>,
# DELAY ms each way on its control ports and FTP passive ports (the product connects FTP data connections to the
# control connection's host, so they cross the relay too). One relay process serves every storage.
mix_delay() { # DELAY_MS
  local listens targets
  targets=$(cut -f2 "$W/run/storages.tsv" | paste -sd,)
  listens=$(cut -f2 "$W/run/storages.tsv" | sed 's/^127\.0\./127.1./' | paste -sd,)
  /usr/bin/python3 "$REPO/tests/Benchmarks/Latency/delay_relay.py" --listen "$listens" --target "$targets" --delay-ms "$1" \
    --ports "$MIX_PORT_BASE-$((MIX_PORT_BASE + 4)),$((MIX_PORT_BASE + 12))-$((MIX_PORT_BASE + 19))" > "$MIX_DIR/run/relay.out" 2>&1 &
  echo $! > "$MIX_DIR/run/relay.pid"
  for _ in $(seq 120); do grep -q ready "$MIX_DIR/run/relay.out" && break; sleep 0.5; done
  grep -q ready "$MIX_DIR/run/relay.out" || { log "the delay relay did not start: $(cat "$MIX_DIR/run/relay.out")"; return 1; }
  sed -i 's/\t127\.0\./\t127.1./' "$W/run/storages.tsv"
  log "mix: every storage behind delay_relay.py, $1 ms each way ($(cut -f2 "$W/run/storages.tsv" | head -1), ...)"
}

# The platform's approach on the same servers and link (tests/Benchmarks/Latency/platform_scan.py), one storage of each
# kind, before the silos start (nothing else runs then). Its worker scans one storage at a time and sleeps 2 s between
# scans, so its time for the whole mix is the sum over storages of its kind's time, plus those pauses. FTP and FTPS open
# files one at a time through a proxy that logs in per request: a sample of MIX_PLATFORM_FTP_SAMPLE files (default 20)
# spread over the tree, scaled to all of them (as the latency benchmark does); HTTP and SFTP open every file.
mix_platform() { # -> $W/out/platform-mix.jsonl
  local scan="/usr/bin/python3 $REPO/tests/Benchmarks/Latency/platform_scan.py" sample=${MIX_PLATFORM_FTP_SAMPLE:-20}
  : > "$W/out/platform-mix.jsonl"
  for kind in nginx apache ftp ftps sftp; do
    local octet line scheme host port path user pass count
    octet=$(case $kind in nginx) echo 1 ;; apache) echo 2 ;; ftp) echo 3 ;; ftps) echo 4 ;; sftp) echo 5 ;; esac)
    count=$(cut -f2 "$W/run/storages.tsv" | grep -c "^127\.[01]\.$octet\." || true)
    [ "$count" -gt 0 ] || continue
    line=$(grep -m1 -P "^\w+\t127\.[01]\.$octet\." "$W/run/storages.tsv")
    IFS=$'\t' read -r scheme host port path user pass _ <<<"$line"
    log "platform's approach on one $kind storage ($host:$port)"
    case $kind in
      nginx|apache) result=$($scan http "http://$host:$port$path") ;;
      ftp|ftps) result=$($scan "$kind" "$host" "$port" "$user" "$pass" "$path" --sample "$sample") ;;
      sftp) result=$($scan sftp "$host" "$port" "$user" "$pass" "$path") ;;
    esac 2> "$W/logs/platform-$kind.err"
    echo "$result" | python3 -c 'import json, sys; r = json.loads(sys.stdin.readline()); r.update(kind=sys.argv[1], storages=int(sys.argv[2]), load=sys.argv[3]); print(json.dumps(r))' \
      "$kind" "$count" "$(cut -d' ' -f1-3 /proc/loadavg)" >> "$W/out/platform-mix.jsonl"
    log "platform $kind: $(tail -1 "$W/out/platform-mix.jsonl")"
  done
}

# One paragraph for RESULTS.md: the platform's estimated time for the whole mix against ours (DRIVER_JSON's full scan).
mix_platform_line() { # DRIVER_JSON
  python3 - "$W/out/platform-mix.jsonl" "$1" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
full = json.load(open(sys.argv[2]))['full']
total, parts, storages = 0.0, [], 0
for r in rows:
    # FTP opened a sample one file at a time: its time for all files is the sample's per-file time scaled up.
    per = r['listingSeconds'] + r['analysisSeconds'] * r['dataFiles'] / max(1, r['analysed'])
    total += per * r['storages']
    storages += r['storages']
    parts.append(f"{r['kind']}: {r['storages']} x {per:,.1f} s ({r['dataFiles']:,} files, listing {r['listingSeconds']:.1f} s, "
                 f"GDAL {r['analysisSeconds']:.1f} s for {r['analysed']:,} files, {r['errors']} errors, load {r['load']})")
pauses = 2.0 * (storages - 1)
platform_rate = full['Files'] / (total + pauses)
ours = full['FilesPerSecond']
print(f"Platform's approach (platform_scan.py, one storage of each kind on the same servers and relay, before the silos "
      f"started; one storage at a time as its worker does, 2 s between scans): {'; '.join(parts)}. Whole mix: "
      f"{total:,.0f} s + {pauses:,.0f} s of pauses = {platform_rate:,.1f} files/s. Ours (full scan above): {ours:,.1f} files/s "
      f"= **{ours / platform_rate:,.1f}x** the platform's approach ({ours * total / full['Files']:,.1f}x without its pauses).")
PY
}
