import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional } from 'class-validator';

/** A reporting period in ISO times; each report says what its defaults are. */
export class PeriodQueryDto {
  @ApiPropertyOptional({ description: 'ISO time, inclusive; default 30 days before `to`' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'ISO time, exclusive; default now' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}
