#!/bin/bash
# tests/peers/stop.sh - stop everything tests/peers/start.sh started (by PID files, checking each PID's command line first).
#   --purge : also delete the test user and the generated data/conf/run/logs/pg (keeps the scripts)
P=${PEERS_DIR:-/tmp/pcrs-peers}; U=${PEERS_USER:-peer}
cd "$P" || exit 1
alive() { [ -r /proc/$1/stat ] && [ "$(awk '{print $3}' /proc/$1/stat)" != Z ]; }
stop_pid() { # name pidfile pattern
  local name=$1 f=$2 pat=$3 pid
  [ -s "$f" ] || return 0
  pid=$(head -1 "$f")
  if alive "$pid" && tr '\0' ' ' < /proc/$pid/cmdline | grep -q -- "$pat"; then
    kill "$pid" && echo "stopped $name (pid $pid)"
    for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then kill -9 "$pid"; echo "killed -9 $name"; fi
  else
    echo "$name: pid $pid not running (or not ours)"
  fi
  rm -f "$f"
}
for n in vsftpd-ftp vsftpd-ftps vsftpd-ftps-noreuse vsftpd-ftps-implicit; do stop_pid $n run/$n.pid "$P/conf/$n.conf"; done
stop_pid pure-ftpd run/pure-ftpd.pid pure-ftpd
stop_pid proftpd   run/proftpd.pid   proftpd
stop_pid sshd      run/sshd.pid      "$P/conf/sshd_config"
stop_pid nginx     run/nginx.pid     "$P/conf/nginx.conf"
stop_pid apache2   run/apache2.pid   "$P/conf/apache2.conf"
stop_pid lighttpd  run/lighttpd.pid  "$P/conf/lighttpd.conf"
stop_pid nginx-tls run/nginx-tls.pid "$P/conf/nginx-tls.conf"
stop_pid webfs       run/webfs.pid       webfsd
stop_pid mini-httpd  run/mini-httpd.pid  mini_httpd
stop_pid python-http run/python-http.pid http.server
stop_pid webrick     run/webrick.pid     WEBrick
stop_pid caddy       run/caddy.pid       "$P/conf/Caddyfile"
if [ -s pg/data/postmaster.pid ]; then
  su postgres -s /bin/sh -c "/usr/lib/postgresql/15/bin/pg_ctl -D $P/pg/data -m fast -w stop" && echo "stopped postgres"
fi
if [ "${1:-}" = --purge ]; then
  id "$U" >/dev/null 2>&1 && userdel "$U" && echo "deleted user $U"
  rm -rf "$P"/{data,conf,run,logs,pg,opt,debs}
  echo "purged generated files under $P"
fi
