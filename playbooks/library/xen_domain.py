#!/usr/bin/python
# -*- coding: utf-8 -*-
# xen_domain for ansible-playbook: the same module rackplay has built in (Ansible has no
# module for Xen 3's xm). Lives next to the playbooks so that ansible-playbook finds it.
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: xen_domain
short_description: Start, shut down and autostart Xen 3 (xm) guest domains
description:
  - Reads C(xm list); runs C(xm create CONFIG) or C(xm shutdown NAME) and waits for the
    domain to go; keeps the C(AUTO_DIR/NAME) symlink that xendomains starts at boot.
options:
  name: {description: Domain name, required: true, type: str}
  config: {description: The domain's config file (needed to start it or to link it), type: str}
  state: {description: running, shutdown, or absent (shut down and not autostarted), type: str, default: running, choices: [running, shutdown, absent]}
  autostart: {description: Whether xendomains starts it at boot; unset leaves the link alone, type: bool}
  shutdown_timeout: {description: Seconds to wait for a shutdown, type: int, default: 300}
  auto_dir: {description: xendomains' directory of links, type: str, default: /etc/xen/auto}
'''

import os
import time

from ansible.module_utils.basic import AnsibleModule


def running_domains(module):
    rc, out, err = module.run_command(['xm', 'list'])
    if rc != 0:
        module.fail_json(msg='xm list failed (is xend running?): %s' % err.strip())
    names = []
    for line in out.splitlines()[1:]:
        fields = line.split()
        if fields:
            names.append(fields[0])
    return names


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='str', required=True),
            config=dict(type='str'),
            state=dict(type='str', default='running', choices=['running', 'shutdown', 'absent']),
            autostart=dict(type='bool'),
            shutdown_timeout=dict(type='int', default=300),
            auto_dir=dict(type='str', default='/etc/xen/auto'),
        ),
        supports_check_mode=True,
    )
    p = module.params
    name = p['name']
    link = os.path.join(p['auto_dir'], name)
    changed = False
    is_running = name in running_domains(module)

    want_link = p['autostart'] if p['state'] != 'absent' else False
    if want_link is not None:
        has_link = os.path.islink(link) and os.readlink(link) == p['config']
        if want_link and not has_link:
            if not p['config']:
                module.fail_json(msg='autostart needs config')
            changed = True
            if not module.check_mode:
                if os.path.lexists(link):
                    os.unlink(link)
                os.symlink(p['config'], link)
        elif not want_link and os.path.lexists(link):
            changed = True
            if not module.check_mode:
                os.unlink(link)

    if p['state'] == 'running' and not is_running:
        if not p['config']:
            module.fail_json(msg='state=running needs config to start %s' % name)
        changed = True
        if not module.check_mode:
            rc, out, err = module.run_command(['xm', 'create', p['config']])
            if rc != 0:
                module.fail_json(msg='xm create %s failed: %s' % (p['config'], (err or out).strip()))
    elif p['state'] in ('shutdown', 'absent') and is_running:
        changed = True
        if not module.check_mode:
            rc, out, err = module.run_command(['xm', 'shutdown', name])
            if rc != 0:
                module.fail_json(msg='xm shutdown %s failed: %s' % (name, (err or out).strip()))
            deadline = time.time() + p['shutdown_timeout']
            while name in running_domains(module):
                if time.time() > deadline:
                    module.fail_json(msg='%s did not shut down within %d seconds' % (name, p['shutdown_timeout']))
                time.sleep(2)

    module.exit_json(changed=changed, name=name, state=p['state'])


if __name__ == '__main__':
    main()
