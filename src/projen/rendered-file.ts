// A generated file whose content is already rendered: projen writes it (or leaves it when equal)
// without resolving, re-parsing and re-serializing an object, as JsonFile would.
import { FileBase, IResolver, Project } from 'projen';

/**
 * A read-only generated file with fixed content. The templates use it with the bytes
 * `renderTemplate` gives, the very bytes projen's `JsonFile` writes for the same object, so a
 * template reused from disk costs a file read instead of a JSON parse and two serializations.
 */
export class RenderedFile extends FileBase {
  constructor(project: Project, filePath: string, private readonly content: string) {
    super(project, filePath, { readonly: true, marker: false });
  }

  protected synthesizeContent(_resolver: IResolver): string {
    return this.content;
  }
}
