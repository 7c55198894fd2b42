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
import standings from './standings.js';
import stats from './stats.js';
import exportCommand from './export.js';
import importCommand from './import.js';
import score from './score.js';
import board from './board.js';
import weights from './weights.js';
import fill from './fill.js';
import remind from './remind.js';
import missing from './missing.js';
import reminders from './reminders.js';
import holiday from './holiday.js';
import history from './history.js';
import approve from './approve.js';
import reject from './reject.js';
import judge from './judge.js';
import withdraw from './withdraw.js';
import restore from './restore.js';
import members from './members.js';
import template from './template.js';
import keyproject from './keyproject.js';

export function createCommands(): CommandRegistry {
  return new CommandRegistry().add(plan, progress, summary, report, template, withdraw, restore, join, approve, reject, mine, history, members, deadlines, units, help, campaign, unit, bind, admin, judge)
    .add(standings, stats, exportCommand, importCommand, score, board, weights, keyproject)
    .add(fill)
    .add(remind, missing, reminders, holiday);
}
