// The options ansible-playbook and ansible share (inventory, limits, variables, check and
// diff, connection and become), declared once for `rackplay` and `rackplay adhoc`.
import { Command, Option } from 'commander';

const collect = (v: string, prev: string[]) => [...prev, v];
const count = (_v: string, prev: number) => prev + 1;

export function addSharedOptions(cmd: Command): Command {
  return cmd
    .option('-i, --inventory <path>', 'inventory file, directory or host list (repeatable)', collect, [])
    .option('-l, --limit <pattern>', 'further limit selected hosts to a pattern')
    .option('-C, --check', "don't make any changes; predict what would change")
    .option('-D, --diff', 'show the differences in files and templates')
    .option('-e, --extra-vars <vars>', 'set additional variables as key=value, YAML/JSON, or @file (repeatable)', collect, [])
    .option('-f, --forks <n>', 'number of parallel hosts')
    .option('-v, --verbose', 'verbose mode (-vvv for more)', count, 0)
    .option('--list-hosts', 'outputs a list of matching hosts; does not execute anything else')
    .option('-u, --user <user>', 'connect as this user')
    .option('-b, --become', 'run operations with become')
    .option('--become-user <user>', 'run operations as this user (default root)')
    .option('--become-method <method>', 'privilege escalation method (sudo, su)')
    .option('-K, --ask-become-pass', 'ask for privilege escalation password')
    .option('-T, --timeout <seconds>', 'override the connection timeout in seconds')
    .option('--private-key <file>', 'use this file to authenticate the connection')
    .addOption(new Option('-c, --connection <type>', 'connection type to use').choices(['ssh', 'local', 'paramiko', 'smart']));
}
