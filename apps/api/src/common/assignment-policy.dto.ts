import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';

/** Auto-assignment settings of an inbox or a team. */
export class AssignmentPolicyDto {
  @ApiProperty({ enum: ['off', 'round_robin', 'least_loaded'] })
  @IsIn(['off', 'round_robin', 'least_loaded'])
  mode: 'off' | 'round_robin' | 'least_loaded';

  @ApiPropertyOptional({ enum: ['oldest_waiting', 'priority'], default: 'oldest_waiting' })
  @IsOptional()
  @IsIn(['oldest_waiting', 'priority'])
  order?: 'oldest_waiting' | 'priority';

  @ApiPropertyOptional({
    nullable: true,
    minimum: 1,
    maximum: 1440,
    description: 'Requeue when the assignee has not replied within this many minutes',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1440)
  requeueAfterMinutes?: number | null;

  @ApiPropertyOptional({
    default: false,
    description: "Give an agent's conversations back when they go offline",
  })
  @IsOptional()
  @IsBoolean()
  requeueOnOffline?: boolean;
}
