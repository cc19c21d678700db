#!/bin/bash
# Several "machines" on this one: a network namespace per host, each with its own address on a bridge of the root
# namespace, for multi-host tests and benchmarks (root only; no container engine needed).
#
#   netns.sh up TAG OCTET NAME...   bridge TAG-br with 10.OCTET.0.1/24 in the root namespace (the "LAN"; services of the
#                                   root namespace can listen on 10.OCTET.0.1); one namespace TAG-NAME per NAME, linked by
#                                   a veth pair (TAGhN on the bridge, eth0 inside) with address 10.OCTET.0.(N+2)/24,
#                                   loopback up, default route to the bridge. Prints "NAME ADDRESS" per host.
#   netns.sh cut TAG NAME           takes that host's link down (both ends): it vanishes from the network, as a pulled cable.
#   netns.sh heal TAG NAME          brings the link back.
#   netns.sh down TAG               deletes the namespaces (killing what still runs in them) and the bridge. Idempotent:
#                                   call it after a failed run too.
#   netns.sh exec TAG NAME CMD...   runs CMD inside host NAME (ip netns exec: the same process id, so signals reach it).
#
# TAG: at most 8 letters or digits (interface names are limited to 15 characters). OCTET: 1-254, one per concurrent run.
set -euo pipefail

die() { echo "netns.sh: $*" >&2; exit 2; }
[ $# -ge 2 ] || die "usage: netns.sh up|cut|heal|down|exec TAG ..."
cmd=$1; tag=$2; shift 2
[[ $tag =~ ^[a-z0-9]{1,8}$ ]] || die "TAG must be 1-8 lower-case letters or digits: '$tag'"

# The index of NAME among the namespaces of TAG (kept in a file so cut/heal/down find them).
state=/run/pcrs-netns/$tag
index_of() { grep -n "^$1 " "$state" | cut -d: -f1; }

case $cmd in
up)
  octet=$1; shift
  [[ $octet =~ ^[0-9]+$ ]] && [ "$octet" -ge 1 ] && [ "$octet" -le 254 ] || die "OCTET must be 1-254: '$octet'"
  [ $# -ge 1 ] || die "up needs at least one host NAME"
  [ ! -e "$state" ] || die "$tag is up already (netns.sh down $tag)"
  mkdir -p /run/pcrs-netns
  : > "$state"
  ip link add "$tag-br" type bridge
  ip addr add "10.$octet.0.1/24" dev "$tag-br"
  ip link set "$tag-br" up
  i=0
  for name in "$@"; do
    [[ $name =~ ^[a-z0-9]{1,12}$ ]] || die "host NAME must be 1-12 lower-case letters or digits: '$name'"
    ns="$tag-$name"; address="10.$octet.0.$((i + 2))"
    ip netns add "$ns"
    ip link add "${tag}h$i" type veth peer name "${tag}n$i"
    ip link set "${tag}n$i" netns "$ns"
    ip -n "$ns" link set "${tag}n$i" name eth0
    ip -n "$ns" addr add "$address/24" dev eth0
    ip -n "$ns" link set lo up
    ip -n "$ns" link set eth0 up
    ip -n "$ns" route add default via "10.$octet.0.1"
    ip link set "${tag}h$i" master "$tag-br"
    ip link set "${tag}h$i" up
    echo "$name $address" >> "$state"
    echo "$name $address"
    i=$((i + 1))
  done
  ;;
cut|heal)
  name=$1; n=$(index_of "$name"); [ -n "$n" ] || die "no host '$name' in $tag"
  state_word=$([ "$cmd" = cut ] && echo down || echo up)
  ip link set "${tag}h$((n - 1))" "$state_word"
  ip -n "$tag-$name" link set eth0 "$state_word"
  ;;
down)
  if [ -e "$state" ]; then
    while read -r name _; do
      ns="$tag-$name"
      # Whatever still runs inside would keep the namespace alive.
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
      ip netns del "$ns" 2>/dev/null || true
    done < "$state"
  fi
  for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E "^${tag}h[0-9]+$" || true); do
    ip link del "$link" 2>/dev/null || true
  done
  ip link del "$tag-br" 2>/dev/null || true
  rm -f "$state"
  ;;
exec)
  name=$1; shift
  exec ip netns exec "$tag-$name" "$@"
  ;;
*) die "unknown command '$cmd'" ;;
esac
