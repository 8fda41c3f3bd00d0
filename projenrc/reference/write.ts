// `npx projen docs`: writes every generated reference page (projenrc/reference/pages.ts).
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from './options';
import { referencePages } from './pages';

for (const p of referencePages()) {
  const file = path.join(ROOT, p.file);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const text = p.render();
  const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  fs.writeFileSync(file, text);
  console.log(`${p.file}: ${before === text ? 'unchanged' : 'written'}`);
}
