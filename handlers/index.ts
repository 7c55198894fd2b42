// Every command, one file each; the registry routes by name and Chinese alias.
import { CommandRegistry } from '../src/commands/registry.js';
import help from './help.js';
import plan from './plan.js';
import progress from './progress.js';
import summary from './summary.js';
import report from './report.js';
import join from './join.js';
import mine from './mine.js';
import deadlines from './deadlines.js';
import units from './units.js';
import campaign from './campaign.js';
import unit from './unit.js';
import bind from './bind.js';
import admin from './admin.js';

export function createCommands(): CommandRegistry {
  return new CommandRegistry().add(plan, progress, summary, report, join, mine, deadlines, units, help, campaign, unit, bind, admin);
}
