// A generated file whose content is already rendered: projen writes it (or leaves it when equal)
// without resolving, re-parsing and re-serializing an object, as JsonFile would.
import * as fs from 'fs';
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

  /**
   * Leaves a file that already holds this content and has no write permission bits alone.
   * projen checks read-only-ness with `access(W_OK)`, which always succeeds for root (CI
   * containers, this machine), so it would rewrite every unchanged template on every run.
   */
  public synthesize(): void {
    if (this.unchangedOnDisk()) return;
    super.synthesize();
  }

  protected synthesizeContent(_resolver: IResolver): string {
    return this.content;
  }

  private unchangedOnDisk(): boolean {
    try {
      // eslint-disable-next-line no-bitwise -- file mode bits: write permission for anyone
      return (fs.statSync(this.absolutePath).mode & 0o222) === 0 && fs.readFileSync(this.absolutePath, 'utf8') === this.content;
    } catch {
      return false;
    }
  }
}
