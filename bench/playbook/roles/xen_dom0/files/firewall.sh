#!/bin/sh
# The howto's firewall.sh: load the rules, then save them for the iptables service.
iptables-restore < /etc/sysconfig/iptables
iptables-save > /etc/sysconfig/iptables.saved
