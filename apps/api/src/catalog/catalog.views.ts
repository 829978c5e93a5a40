import type { CannedResponse, Label } from '@parley/inbox';

export function labelView(label: Label) {
  return { id: label.id, name: label.name, color: label.color, description: label.description };
}

export function cannedResponseView(canned: CannedResponse) {
  return {
    id: canned.id,
    shortCode: canned.shortCode,
    content: canned.content,
    createdBy: canned.createdBy,
    updatedAt: canned.updatedAt.toISOString(),
  };
}
