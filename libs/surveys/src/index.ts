export { SurveyCampaignsService, type CampaignInput, type CampaignView } from './survey-campaigns.service.js';
export { SurveyPoliciesService, type SurveyPolicyView } from './survey-policies.service.js';
export {
  DEFAULT_POLICY,
  ENGLISH,
  SCALES,
  type SurveyPolicy,
  type SurveyPolicyOverride,
  type SurveyWording,
} from './survey-policy.js';
export {
  SurveyReportsService,
  type SurveyFilter,
  type SurveyGroupBy,
  type SurveyRow,
  type SurveySummaryRow,
} from './survey-reports.service.js';
export { SURVEY_ENTITIES, type SurveyKind, type SurveyStatus } from './surveys.entities.js';
export { SurveysError, SurveysErrorCode } from './surveys.errors.js';
export { SurveysModule } from './surveys.module.js';
export { SurveysService, type PublicSurveyView } from './surveys.service.js';
