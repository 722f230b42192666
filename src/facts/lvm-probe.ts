// LVM2 reports for lvg and lvol, in the field names LVM2 2.02 (SL4) already has. Sizes are
// asked in MiB without suffix and extents as counts, so the modules can plan in whole
// extents and never depend on the newer `-l 100%FREE` syntax of lvcreate.
import { quote } from '../transport/quote.js';
import { section } from './system-probe.js';

const REPORT = "--noheadings --nosuffix --units m --separator ';'";

export interface VgInfo {
  name: string;
  pvCount: number;
  lvCount: number;
  sizeMb: number;
  freeMb: number;
  extentMb: number;
  extentCount: number;
  freeCount: number;
}

export interface LvInfo {
  name: string;
  vg: string;
  sizeMb: number;
  origin: string;
  attr: string;
}

export interface PvInfo {
  name: string;
  vg: string;
}

export function vgsProbe(vg: string): string {
  return section('vgs', `vgs ${REPORT} -o vg_name,pv_count,lv_count,vg_size,vg_free,vg_extent_size,vg_extent_count,vg_free_count ${quote(vg)}`);
}

export function lvsProbe(vg: string): string {
  return section('lvs', `lvs ${REPORT} -o lv_name,vg_name,lv_size,origin,lv_attr ${quote(vg)}`);
}

export function pvsProbe(): string {
  return section('pvs', `pvs ${REPORT} -o pv_name,vg_name`);
}

function rows(text: string | undefined): string[][] {
  return (text ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.includes(';'))
    .map((l) => l.split(';').map((c) => c.trim()));
}

const num = (s: string | undefined) => Number(String(s ?? '').replace(',', '.'));

export function parseVgs(text: string | undefined): VgInfo[] {
  return rows(text)
    .filter((r) => r.length >= 8)
    .map((r) => ({
      name: r[0],
      pvCount: num(r[1]),
      lvCount: num(r[2]),
      sizeMb: num(r[3]),
      freeMb: num(r[4]),
      extentMb: num(r[5]),
      extentCount: num(r[6]),
      freeCount: num(r[7]),
    }));
}

export function parseLvs(text: string | undefined): LvInfo[] {
  return rows(text)
    .filter((r) => r.length >= 3)
    .map((r) => ({ name: r[0], vg: r[1], sizeMb: num(r[2]), origin: r[3] ?? '', attr: r[4] ?? '' }));
}

export function parsePvs(text: string | undefined): PvInfo[] {
  return rows(text).map((r) => ({ name: r[0], vg: r[1] ?? '' }));
}
