import { Injectable, type OnModuleInit } from '@nestjs/common';
import { isUniqueViolation } from '@parley/database';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { TeamsService } from '@parley/accounts';
import { BusinessHours, InboxesService, type BusinessHoursScope } from '@parley/inbox';
import { BusinessClock, calendarProblems, type CalendarDefinition } from './business-calendar.js';
import { MetricsRepository } from './metrics.repository.js';
import { BusinessCalendar, CalendarAssignment, type CalendarScope } from './reporting.entities.js';
import { definedOnly } from './defined-only.js';
import { ReportingError } from './reporting.errors.js';

export interface CalendarInput extends CalendarDefinition {
  name: string;
}

export interface CalendarView extends CalendarInput {
  id: string;
  /** Where it applies: the workspace default and inbox or team overrides. */
  assignedTo: Array<{ scope: CalendarScope; scopeId: string }>;
}

/** Business calendars and where they apply (team overrides inbox overrides workspace). */
@Injectable()
export class CalendarsService implements OnModuleInit {
  constructor(
    @InjectRepository(BusinessCalendar) private readonly calendars: Repository<BusinessCalendar>,
    @InjectRepository(CalendarAssignment) private readonly assignments: Repository<CalendarAssignment>,
    private readonly inboxes: InboxesService,
    private readonly teams: TeamsService,
    private readonly metrics: MetricsRepository,
    private readonly businessHours: BusinessHours,
  ) {}

  /** Automation conditions (in the inbox lib) ask here whether a conversation is in business hours. */
  onModuleInit(): void {
    this.businessHours.provide((workspaceId, scope, at) => this.isOpen(workspaceId, scope, at));
  }

  /** Open at `at` by the calendar that applies: the team's, else the inbox's, else the workspace's; else 24/7. */
  async isOpen(workspaceId: string, scope: BusinessHoursScope, at = new Date()): Promise<boolean> {
    const definition = await this.metrics.calendarFor(
      this.metrics.manager,
      workspaceId,
      scope.teamId,
      scope.inboxId,
    );
    return definition ? new BusinessClock(definition).isOpen(at) : true;
  }

  async list(workspaceId: string): Promise<CalendarView[]> {
    const [calendars, assignments] = await Promise.all([
      this.calendars.find({ where: { workspaceId }, order: { name: 'ASC' } }),
      this.assignments.find({ where: { workspaceId } }),
    ]);
    return calendars.map((calendar) => this.view(calendar, assignments));
  }

  async create(workspaceId: string, input: CalendarInput): Promise<CalendarView> {
    this.assertValid(input);
    if (await this.calendars.exists({ where: { workspaceId, name: input.name } })) {
      throw ReportingError.conflict(`A calendar named "${input.name}" exists`);
    }
    const saved = await this.calendars.save(this.calendars.create({ ...input, workspaceId }));
    return this.view(saved, []);
  }

  async update(workspaceId: string, id: string, input: Partial<CalendarInput>): Promise<CalendarView> {
    const calendar = await this.calendars.findOne({ where: { workspaceId, id } });
    if (!calendar) throw ReportingError.notFound('Calendar');
    const merged = Object.assign(calendar, definedOnly(input));
    this.assertValid(merged);
    let saved: BusinessCalendar;
    try {
      saved = await this.calendars.save(merged);
    } catch (error) {
      if (isUniqueViolation(error)) throw ReportingError.conflict(`A calendar named "${merged.name}" exists`);
      throw error;
    }
    await this.metrics.calendarsChanged(workspaceId);
    return this.view(saved, await this.assignments.find({ where: { workspaceId, calendarId: id } }));
  }

  async remove(workspaceId: string, id: string): Promise<void> {
    const result = await this.calendars.delete({ workspaceId, id });
    if (!result.affected) throw ReportingError.notFound('Calendar');
    await this.metrics.calendarsChanged(workspaceId);
  }

  /**
   * Applies a calendar to the workspace (default), an inbox or a team; `calendarId` null removes
   * the override. Metrics already computed keep their business seconds until a rebuild.
   */
  async assign(
    workspaceId: string,
    scope: CalendarScope,
    scopeId: string,
    calendarId: string | null,
  ): Promise<void> {
    if (scope === 'workspace' && scopeId !== workspaceId) throw ReportingError.notFound('Workspace');
    // Each throws its own not-found error (404) for an id outside the workspace.
    if (scope === 'inbox') await this.inboxes.get(workspaceId, scopeId);
    if (scope === 'team') await this.teams.get(workspaceId, scopeId);
    if (calendarId === null) {
      await this.assignments.delete({ workspaceId, scope, scopeId });
      await this.metrics.calendarsChanged(workspaceId);
      return;
    }
    if (!(await this.calendars.exists({ where: { workspaceId, id: calendarId } }))) {
      throw ReportingError.notFound('Calendar');
    }
    await this.assignments.upsert({ workspaceId, scope, scopeId, calendarId }, [
      'workspaceId',
      'scope',
      'scopeId',
    ]);
    await this.metrics.calendarsChanged(workspaceId);
  }

  private assertValid(input: CalendarInput): void {
    const problems = calendarProblems(input);
    if (problems.length) throw ReportingError.invalid('The calendar is not valid', problems);
  }

  private view(calendar: BusinessCalendar, assignments: CalendarAssignment[]): CalendarView {
    return {
      id: calendar.id,
      name: calendar.name,
      timezone: calendar.timezone,
      week: calendar.week,
      holidays: calendar.holidays,
      assignedTo: assignments
        .filter((assignment) => assignment.calendarId === calendar.id)
        .map(({ scope, scopeId }) => ({ scope, scopeId })),
    };
  }
}
