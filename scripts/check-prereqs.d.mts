export function checkPrerequisites(): string[];
