export interface ProjectFile {
  projectId: number;
  name: string;
  content: string;
  created: string;
  modified: string;
}
