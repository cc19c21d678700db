#!/bin/bash
# tests/peers/start.sh - install (Debian 12 apt) and start the real servers the tests use, all on 127.0.0.1 and serving
# $PEERS_DIR/data, and generate the GDAL fixtures into it. Idempotent: re-running skips what is installed/generated/listening.
# Run as root. Stop with tests/peers/stop.sh.  Env knobs (defaults shown):
#   PEERS_DIR=/tmp/pcrs-peers  PEERS_BIG=0 (10000x10000 tiles for benchmarks, ~100 s)  PEERS_MANY=100 (hard links, with BIG)
#   PEERS_PG=1 (throwaway PostgreSQL 15 for the tests)  PEERS_CHROMIUM=1 (chromium for browser tests)
#   PEERS_USER=peer PEERS_PASS=peerpass ; ports below (FTP_PASV_PORTS: the plain vsftpd's passive range). A second
#   account, PEERS_TRUST_USER=pcrstrust, is for tests that change its password on the server (trust tests); nothing else uses it.
set -euo pipefail
HERE=$(dirname "$(readlink -f "$0")")
P=${PEERS_DIR:-/tmp/pcrs-peers}
U=${PEERS_USER:-peer}; PW=${PEERS_PASS:-peerpass}; TU=${PEERS_TRUST_USER:-pcrstrust}
FTP_PORT=${FTP_PORT:-2121}            # vsftpd plain FTP
FTPS_PORT=${FTPS_PORT:-2122}          # vsftpd explicit FTPS (AUTH TLS), TLS required, require_ssl_reuse=YES (default)
FTPS_NOREUSE_PORT=${FTPS_NOREUSE_PORT:-2125}   # vsftpd explicit FTPS, require_ssl_reuse=NO
FTPS_IMPLICIT_PORT=${FTPS_IMPLICIT_PORT:-2990} # vsftpd implicit FTPS
PUREFTPD_PORT=${PUREFTPD_PORT:-2123}  # pure-ftpd (TLS optional, MLSD)
PROFTPD_PORT=${PROFTPD_PORT:-2124}    # proftpd (plain, MLSD)
SFTP_PORT=${SFTP_PORT:-2222}          # OpenSSH internal-sftp, chroot
NGINX_PORT=${NGINX_PORT:-8081}; APACHE_PORT=${APACHE_PORT:-8082}; LIGHTTPD_PORT=${LIGHTTPD_PORT:-8083}
PG_PORT=${PG_PORT:-55491}
# More HTTP servers, each with its own listing style (sizes rounded, exact or absent; directories with or without '/'),
# and nginx over TLS with the self-signed certificate below. Same tree as every other peer.
NGINX_TLS_PORT=${NGINX_TLS_PORT:-8084}   # nginx https, autoindex with rounded sizes
WEBFS_PORT=${WEBFS_PORT:-8085}           # webfs: ls-like <pre> lines, "587 kB"
MINIHTTPD_PORT=${MINIHTTPD_PORT:-8086}   # mini_httpd: exact sizes, directories linked without '/', no Range support
PYHTTP_PORT=${PYHTTP_PORT:-8087}         # python3 -m http.server: names only, HTTP/1.0, no Range support
WEBRICK_PORT=${WEBRICK_PORT:-8088}       # ruby WEBrick: table, truncated link texts, "2026/12/07 00:31"
CADDY_PORT=${CADDY_PORT:-8089}           # caddy file_server browse: "588 KiB", <time datetime>
# Passive data ports of the plain vsftpd (first-last). Not 30000-30019 (its old range): Orleans' default gateway port is 30000.
# 100 ports: the test assemblies scan it at once, 4 connections per storage each; with 8 ports vsftpd ran out ("500 OOPS:
# vsf_sysutil_bind") in a clean-clone CI.
FTP_PASV_PORTS=${FTP_PASV_PORTS:-8100-8199}
T0=$(date +%s)
log() { printf '[peers %3ss] %s\n' $(( $(date +%s) - T0 )) "$*"; }
listening() { ss -Hltn "sport = :$1" | grep -q .; }

mkdir -p "$P"/{conf,run/empty,run/nginx,run/nginx-tls,run/caddy,logs/lighttpd,data,debs,opt}
chmod 755 "$P" "$P/data" "$P/run/empty"; chown nobody:nogroup "$P/logs/lighttpd"
cd "$P"

# ---------- 1. packages ----------
need=()
for pkg in vsftpd openssh-server openssh-sftp-server apache2 nginx lighttpd lftp rclone curl openssl gdal-bin python3-gdal \
           python3-numpy wrk iproute2 libhiredis0.14 libmemcached11 libmemcachedutil2 libpcre2-posix3 bc unzip \
           webfs mini-httpd ruby ruby-webrick caddy; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
# Metadata tests: OGC API Features client (owslib) and XML well-formedness (xmllint).
for pkg in python3-owslib libxml2-utils; do dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg"); done
[ "${PEERS_PG:-1}" = 1 ] && { dpkg -s postgresql-15 >/dev/null 2>&1 || need+=(postgresql-15); }
[ "${PEERS_CHROMIUM:-1}" = 1 ] && { dpkg -s chromium >/dev/null 2>&1 || need+=(chromium chromium-driver); }
if [ ${#need[@]} -gt 0 ]; then
  log "apt-get install ${need[*]}"
  # keep Debian maintainer scripts from starting the packaged daemons on their default ports
  [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; RM_POLICY=1; }
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >"$P/logs/apt.log" 2>&1
  [ "${RM_POLICY:-0}" = 1 ] && rm -f /usr/sbin/policy-rc.d
fi
# pure-ftpd and proftpd conflict with vsftpd (all Provide ftp-server): unpack their .debs under $P/opt instead
if [ ! -x opt/usr/sbin/pure-ftpd ] || [ ! -x opt/usr/sbin/proftpd ]; then
  log "apt-get download + dpkg-deb -x pure-ftpd proftpd-core"
  (cd debs && apt-get -o APT::Sandbox::User=root download -qq pure-ftpd proftpd-core)
  for d in debs/*.deb; do dpkg-deb -x "$d" opt/; done
fi

# ---------- 2. user, keys, certs ----------
id "$U" >/dev/null 2>&1 || { useradd -M -d "$P/data" -s /bin/bash "$U"; }
echo "$U:$PW" | chpasswd
# The trust tests' own account: they set and change its password themselves (never the shared one above).
id "$TU" >/dev/null 2>&1 || { useradd -M -d "$P/data" -s /bin/bash "$TU"; echo "$TU:$PW" | chpasswd; }
# HTTP Basic authentication for nginx's /private/ (the same tree as /), for the peer account. nginx reads the file on
# every request; the trust tests add and change their own account's line in it.
printf '%s:%s\n' "$U" "$(openssl passwd -apr1 "$PW")" > conf/htpasswd
chmod 644 conf/htpasswd
[ -s conf/cert.pem ] || openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout conf/key.pem -out conf/cert.pem 2>/dev/null
cat conf/cert.pem conf/key.pem > conf/combined.pem; chmod 600 conf/key.pem conf/combined.pem
[ -s conf/ssh_host_ed25519_key ] || ssh-keygen -q -t ed25519 -N '' -f conf/ssh_host_ed25519_key
[ -s conf/ssh_host_rsa_key ] || ssh-keygen -q -t rsa -b 3072 -N '' -f conf/ssh_host_rsa_key

# ---------- 3. fixtures ----------
args=(); [ "${PEERS_BIG:-0}" = 1 ] && args+=(--big) && args+=(--many "${PEERS_MANY:-100}")
log "fixtures: gen_fixtures.py ${args[*]}"
/usr/bin/python3 "$HERE/gen_fixtures.py" "$P/data" "${args[@]}" | sed 's/^/    /'
chmod -R a+rX "$P/data"

# ---------- 4. configs ----------
vsftpd_conf() { # name port pasv_min pasv_max [extra lines...]
  local name=$1 port=$2 lo=$3 hi=$4; shift 4
  { cat <<EOF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$port
background=NO
anonymous_enable=NO
local_enable=YES
write_enable=NO
chroot_local_user=YES
local_root=$P/data
pasv_enable=YES
pasv_address=127.0.0.1
pasv_min_port=$lo
pasv_max_port=$hi
secure_chroot_dir=$P/run/empty
pam_service_name=vsftpd
seccomp_sandbox=NO
xferlog_enable=YES
xferlog_std_format=NO
log_ftp_protocol=YES
vsftpd_log_file=$P/logs/$name.log
EOF
  printf '%s\n' "$@"; } > "conf/$name.conf"
}
TLS=(ssl_enable=YES "rsa_cert_file=$P/conf/cert.pem" "rsa_private_key_file=$P/conf/key.pem" force_local_logins_ssl=YES
     force_local_data_ssl=YES ssl_tlsv1=NO ssl_sslv2=NO ssl_sslv3=NO ssl_ciphers=HIGH)
vsftpd_conf vsftpd-ftp $FTP_PORT "${FTP_PASV_PORTS%-*}" "${FTP_PASV_PORTS#*-}"
vsftpd_conf vsftpd-ftps $FTPS_PORT 30020 30039 "${TLS[@]}" require_ssl_reuse=YES
vsftpd_conf vsftpd-ftps-noreuse $FTPS_NOREUSE_PORT 30080 30099 "${TLS[@]}" require_ssl_reuse=NO ssl_request_cert=NO
vsftpd_conf vsftpd-ftps-implicit $FTPS_IMPLICIT_PORT 30100 30119 "${TLS[@]}" implicit_ssl=YES require_ssl_reuse=NO

cat > conf/proftpd.conf <<EOF
ServerName "peers-proftpd"
ServerType standalone
DefaultServer on
DefaultAddress 127.0.0.1
SocketBindTight on
Port $PROFTPD_PORT
PassivePorts 30060 30079
MasqueradeAddress 127.0.0.1
UseIPv6 off
User nobody
Group nogroup
PidFile $P/run/proftpd.pid
ScoreboardFile $P/run/proftpd.scoreboard
DelayTable none
DelayEngine off
WtmpLog off
UseReverseDNS off
ModulePath $P/opt/usr/lib/proftpd
AuthOrder mod_auth_unix.c
RequireValidShell off
DefaultRoot $P/data
SystemLog $P/logs/proftpd.log
TransferLog $P/logs/proftpd-xfer.log
<Limit WRITE>
  DenyAll
</Limit>
EOF

cat > conf/sshd_config <<EOF
Port $SFTP_PORT
ListenAddress 127.0.0.1
HostKey $P/conf/ssh_host_ed25519_key
HostKey $P/conf/ssh_host_rsa_key
PidFile $P/run/sshd.pid
UsePAM yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers $U
UseDNS no
LogLevel VERBOSE
Subsystem sftp internal-sftp
Match User $U
    ChrootDirectory /srv
    ForceCommand internal-sftp -R
    AllowTcpForwarding no
    X11Forwarding no
    PermitTTY no
EOF

cat > conf/nginx.conf.new <<EOF
worker_processes 2;
pid $P/run/nginx.pid;
error_log $P/logs/nginx-error.log warn;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path $P/run/nginx/body;
    proxy_temp_path $P/run/nginx/proxy;
    fastcgi_temp_path $P/run/nginx/fastcgi;
    uwsgi_temp_path $P/run/nginx/uwsgi;
    scgi_temp_path $P/run/nginx/scgi;
    log_format peers '\$remote_addr [\$time_local] "\$request" \$status \$body_bytes_sent range="\$http_range" rt=\$request_time';
    access_log $P/logs/nginx-access.log peers;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $P/data;
        location / { autoindex on; autoindex_exact_size on; autoindex_localtime off; }
        location /json/ { alias $P/data/; autoindex on; autoindex_format json; }
        location /xml/  { alias $P/data/; autoindex on; autoindex_format xml; }
        location /private/ { alias $P/data/; autoindex on; auth_basic "pcrs peers"; auth_basic_user_file $P/conf/htpasswd; }
    }
}
EOF
# A running nginx gets a changed configuration by a graceful reload (requests in flight finish), never a restart.
NGINX_RELOAD=0
if cmp -s conf/nginx.conf.new conf/nginx.conf; then rm conf/nginx.conf.new; else mv conf/nginx.conf.new conf/nginx.conf; NGINX_RELOAD=1; fi

cat > conf/nginx-tls.conf <<EOF
worker_processes 1;
pid $P/run/nginx-tls.pid;
error_log $P/logs/nginx-tls-error.log warn;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path $P/run/nginx-tls/body;
    proxy_temp_path $P/run/nginx-tls/proxy;
    fastcgi_temp_path $P/run/nginx-tls/fastcgi;
    uwsgi_temp_path $P/run/nginx-tls/uwsgi;
    scgi_temp_path $P/run/nginx-tls/scgi;
    access_log $P/logs/nginx-tls-access.log;
    server {
        listen 127.0.0.1:$NGINX_TLS_PORT ssl;
        ssl_certificate $P/conf/cert.pem;
        ssl_certificate_key $P/conf/key.pem;
        root $P/data;
        location / { autoindex on; autoindex_exact_size off; autoindex_localtime off; }
    }
}
EOF

cat > conf/Caddyfile <<EOF
{
    admin off
    auto_https off
}
http://127.0.0.1:$CADDY_PORT {
    bind 127.0.0.1
    root * $P/data
    file_server browse
}
EOF

cat > conf/apache2.conf <<EOF
ServerRoot /etc/apache2
ServerName 127.0.0.1
Listen 127.0.0.1:$APACHE_PORT
PidFile $P/run/apache2.pid
DefaultRuntimeDir $P/run
Mutex file:$P/run default
ErrorLog $P/logs/apache2-error.log
LogLevel warn
User nobody
Group nogroup
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
LoadModule autoindex_module /usr/lib/apache2/modules/mod_autoindex.so
TypesConfig /etc/mime.types
LogFormat "%h %t \"%r\" %>s %B range=\"%{Range}i\" us=%D" peers
CustomLog $P/logs/apache2-access.log peers
DocumentRoot $P/data
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory $P/data>
    Options Indexes FollowSymLinks
    Require all granted
    IndexOptions FancyIndexing VersionSort HTMLTable NameWidth=* DescriptionWidth=* Charset=UTF-8 FoldersFirst
</Directory>
Alias /plain/ $P/data/
<Location /plain/>
    IndexOptions -FancyIndexing -HTMLTable
</Location>
EOF

cat > conf/lighttpd.conf <<EOF
server.modules = ( "mod_dirlisting", "mod_accesslog" )
server.document-root = "$P/data"
server.bind = "127.0.0.1"
server.port = $LIGHTTPD_PORT
server.username = "nobody"
server.groupname = "nogroup"
server.pid-file = "$P/run/lighttpd.pid"
server.errorlog = "$P/logs/lighttpd/error.log"
accesslog.filename = "$P/logs/lighttpd/access.log"
accesslog.format = "%h %t \"%r\" %>s %b range=\"%{Range}i\""
dir-listing.activate = "enable"
dir-listing.encoding = "utf-8"
mimetype.assign = ( ".jp2" => "image/jp2", ".tif" => "image/tiff", ".tfw" => "text/plain", ".j2w" => "text/plain", ".xml" => "application/xml", "" => "application/octet-stream" )
EOF

OBS=$(rclone obscure "$PW")
{ for r in "vsftpd $FTP_PORT" "vsftpd-ftps $FTPS_PORT tls" "vsftpd-ftps-noreuse $FTPS_NOREUSE_PORT tls" \
           "vsftpd-ftps-implicit $FTPS_IMPLICIT_PORT implicit" "pureftpd $PUREFTPD_PORT" "proftpd $PROFTPD_PORT"; do
    set -- $r
    printf '[%s]\ntype = ftp\nhost = 127.0.0.1\nport = %s\nuser = %s\npass = %s\n' $1 $2 "$U" "$OBS"
    [ "${3:-}" = tls ] && printf 'explicit_tls = true\nno_check_certificate = true\ndisable_tls13 = true\n'
    [ "${3:-}" = implicit ] && printf 'tls = true\nno_check_certificate = true\ndisable_tls13 = true\n'
    echo
  done
  printf '[sftp]\ntype = sftp\nhost = 127.0.0.1\nport = %s\nuser = %s\npass = %s\nshell_type = none\n\n' $SFTP_PORT "$U" "$OBS"
  for r in "nginx $NGINX_PORT" "apache $APACHE_PORT" "lighttpd $LIGHTTPD_PORT"; do set -- $r
    printf '[%s]\ntype = http\nurl = http://127.0.0.1:%s/\n\n' $1 $2; done; } > conf/rclone.conf

# ---------- 5. start ----------
# Servers killed without a clean stop (a machine restart, a killed session) leave PID files whose numbers may now belong to
# other processes, and apache2 or PostgreSQL would then refuse to start: a server that is not listening drops its old one.
for pair in "apache2 $APACHE_PORT" "nginx $NGINX_PORT" "lighttpd $LIGHTTPD_PORT" "proftpd $PROFTPD_PORT" \
            "pure-ftpd $PUREFTPD_PORT" "sshd $SFTP_PORT" "nginx-tls $NGINX_TLS_PORT"; do
  set -- $pair; listening "$2" || rm -f "$P/run/$1.pid"
done
if [ -e pg/data/postmaster.pid ] && ! listening "$PG_PORT"; then rm -f pg/data/postmaster.pid; fi
start() { # name port command...   (skips when the port is already listening)
  local name=$1 port=$2; shift 2
  if listening "$port"; then log "$name: :$port already listening (left alone)"; return; fi
  "$@" >"$P/logs/$name.out" 2>&1 || { log "$name: FAILED to start: $(tail -3 "$P/logs/$name.out")"; return; }
}
daemon() { # name cmd... : run a foreground daemon in the background and record its PID
  local name=$1; shift
  setsid nohup "$@" >"$P/logs/$name.out" 2>&1 < /dev/null & echo $! > "$P/run/$name.pid"
}
for v in "vsftpd-ftp $FTP_PORT" "vsftpd-ftps $FTPS_PORT" "vsftpd-ftps-noreuse $FTPS_NOREUSE_PORT" "vsftpd-ftps-implicit $FTPS_IMPLICIT_PORT"; do
  set -- $v; listening $2 && log "$1: :$2 already listening" || daemon $1 /usr/sbin/vsftpd "$P/conf/$1.conf"
done
start pure-ftpd $PUREFTPD_PORT "$P/opt/usr/sbin/pure-ftpd" -S 127.0.0.1,$PUREFTPD_PORT -4 -A -E -H -l unix \
      -p 30040:30059 -P 127.0.0.1 -Y 1 -2 "$P/conf/combined.pem" -g "$P/run/pure-ftpd.pid" -O clf:"$P/logs/pure-ftpd-xfer.log" -B
start proftpd $PROFTPD_PORT "$P/opt/usr/sbin/proftpd" -c "$P/conf/proftpd.conf"
# sshd: ChrootDirectory needs every path component root-owned and not group/world-writable; /tmp is 1777,
# so run sshd in a private mount namespace where $P/data is bind-mounted on /srv (host /srv untouched).
mkdir -p /run/sshd && chmod 755 /run/sshd
/usr/sbin/sshd -t -f "$P/conf/sshd_config"
start sshd $SFTP_PORT unshare --mount --propagation private sh -c \
      "mount --bind '$P/data' /srv && exec /usr/sbin/sshd -f '$P/conf/sshd_config' -E '$P/logs/sshd.log'"
start nginx $NGINX_PORT nginx -p "$P/run/nginx" -e "$P/logs/nginx-error.log" -c "$P/conf/nginx.conf"
if [ "$NGINX_RELOAD" = 1 ] && [ -s "$P/run/nginx.pid" ]; then
  log "nginx: configuration changed, reloading"
  nginx -p "$P/run/nginx" -e "$P/logs/nginx-error.log" -c "$P/conf/nginx.conf" -s reload || log "nginx: reload FAILED"
fi
start apache2 $APACHE_PORT apache2 -f "$P/conf/apache2.conf" -k start
start lighttpd $LIGHTTPD_PORT lighttpd -f "$P/conf/lighttpd.conf"
start nginx-tls $NGINX_TLS_PORT nginx -p "$P/run/nginx-tls" -e "$P/logs/nginx-tls-error.log" -c "$P/conf/nginx-tls.conf"
# Foreground servers, recorded by PID (stop.sh checks the command line before stopping one).
http_daemon() { # name port cmd...
  local name=$1 port=$2; shift 2
  if listening "$port"; then log "$name: :$port already listening (left alone)"; else daemon "$name" "$@"; fi
}
http_daemon webfs $WEBFS_PORT webfsd -F -4 -i 127.0.0.1 -p $WEBFS_PORT -r "$P/data" -f index.html -u nobody -g nogroup
http_daemon mini-httpd $MINIHTTPD_PORT mini_httpd -D -h 127.0.0.1 -p $MINIHTTPD_PORT -d "$P/data" -u nobody -l "$P/logs/mini-httpd.log"
http_daemon python-http $PYHTTP_PORT /usr/bin/python3 -m http.server $PYHTTP_PORT --bind 127.0.0.1 --directory "$P/data"
http_daemon webrick $WEBRICK_PORT ruby -rwebrick -e "s = WEBrick::HTTPServer.new(BindAddress: '127.0.0.1', Port: $WEBRICK_PORT, \
    DocumentRoot: '$P/data', AccessLog: [], Logger: WEBrick::Log.new('$P/logs/webrick.log')); trap('TERM') { s.shutdown }; s.start"
XDG_DATA_HOME="$P/run/caddy" XDG_CONFIG_HOME="$P/run/caddy" http_daemon caddy $CADDY_PORT caddy run --config "$P/conf/Caddyfile" --adapter caddyfile
if [ "${PEERS_PG:-1}" = 1 ]; then
  mkdir -p pg && chown postgres:postgres pg
  [ -s pg/data/PG_VERSION ] || su postgres -s /bin/sh -c "/usr/lib/postgresql/15/bin/initdb -D $P/pg/data -U postgres -A trust -E UTF8 --locale=C.UTF-8" >logs/initdb.log
  start postgres $PG_PORT su postgres -s /bin/sh -c "/usr/lib/postgresql/15/bin/pg_ctl -D $P/pg/data -l $P/pg/server.log -w -o '-p $PG_PORT -k $P/pg -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c synchronous_commit=off' start"
  psql -h 127.0.0.1 -p $PG_PORT -U postgres -Atc "SELECT 1 FROM pg_database WHERE datname='peers'" | grep -q 1 || \
    psql -h 127.0.0.1 -p $PG_PORT -U postgres -qc "CREATE DATABASE peers"
fi

# ---------- 6. check ----------
sleep 1
ok=0; bad=0
chk() { # label command...
  local label=$1; shift
  if out=$(timeout 20 "$@" 2>&1) && [ -n "$out" ]; then ok=$((ok+1)); log "OK   $label ($(echo "$out" | wc -l) lines)"; else bad=$((bad+1)); log "FAIL $label: $(echo "$out" | tail -1)"; fi
}
C=(curl -sS -u "$U:$PW" -k)
chk "vsftpd ftp        :$FTP_PORT"            "${C[@]}" ftp://127.0.0.1:$FTP_PORT/fixtures/
chk "vsftpd ftps-expl  :$FTPS_PORT"           "${C[@]}" --ssl-reqd ftp://127.0.0.1:$FTPS_PORT/fixtures/
chk "vsftpd ftps-expl2 :$FTPS_NOREUSE_PORT"   "${C[@]}" --ssl-reqd ftp://127.0.0.1:$FTPS_NOREUSE_PORT/fixtures/
chk "vsftpd ftps-impl  :$FTPS_IMPLICIT_PORT"  "${C[@]}" ftps://127.0.0.1:$FTPS_IMPLICIT_PORT/fixtures/
chk "pure-ftpd         :$PUREFTPD_PORT"       "${C[@]}" ftp://127.0.0.1:$PUREFTPD_PORT/fixtures/
chk "proftpd           :$PROFTPD_PORT"        "${C[@]}" ftp://127.0.0.1:$PROFTPD_PORT/fixtures/
chk "sshd sftp         :$SFTP_PORT"           "${C[@]}" sftp://127.0.0.1:$SFTP_PORT/fixtures/
chk "nginx             :$NGINX_PORT"          curl -sS http://127.0.0.1:$NGINX_PORT/fixtures/
chk "nginx basic auth  :$NGINX_PORT"          curl -sSf -u "$U:$PW" http://127.0.0.1:$NGINX_PORT/private/fixtures/
chk "apache2           :$APACHE_PORT"         curl -sS http://127.0.0.1:$APACHE_PORT/fixtures/
chk "lighttpd          :$LIGHTTPD_PORT"       curl -sS http://127.0.0.1:$LIGHTTPD_PORT/fixtures/
chk "nginx https       :$NGINX_TLS_PORT"      curl -sS --cacert "$P/conf/cert.pem" https://127.0.0.1:$NGINX_TLS_PORT/fixtures/
chk "webfs             :$WEBFS_PORT"          curl -sS http://127.0.0.1:$WEBFS_PORT/fixtures/
chk "mini_httpd        :$MINIHTTPD_PORT"      curl -sS http://127.0.0.1:$MINIHTTPD_PORT/fixtures/
chk "python http.server:$PYHTTP_PORT"         curl -sS http://127.0.0.1:$PYHTTP_PORT/fixtures/
chk "ruby WEBrick      :$WEBRICK_PORT"        curl -sS http://127.0.0.1:$WEBRICK_PORT/fixtures/
chk "caddy             :$CADDY_PORT"          curl -sS http://127.0.0.1:$CADDY_PORT/fixtures/
[ "${PEERS_PG:-1}" = 1 ] && chk "postgresql        :$PG_PORT" psql -h 127.0.0.1 -p $PG_PORT -U postgres -d peers -Atc "SELECT version()"
log "done: $ok ok, $bad failed. user=$U pass=$PW data=$P/data rclone config=$P/conf/rclone.conf"
[ $bad = 0 ]
