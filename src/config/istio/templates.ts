// Custom injection templates in Istio's form (a string of YAML, usually a Go template): the plain
// overlays become meshgate templates; a template that uses Go template actions cannot be honoured and
// is refused when the configuration is read, naming it.
import { parseDocument } from 'yaml';
import { isObject } from '../../k8s/objects.js';
import type { TemplateOverlay } from '../types.js';

export type TemplateParse = { readonly ok: true; readonly overlay: TemplateOverlay } | { readonly ok: false; readonly message: string };

const GO_ACTION = /\{\{/;

/** A custom template's text as a pod overlay, or why it cannot be one. */
export function parseTemplateText(text: string): TemplateParse {
  const action = GO_ACTION.exec(text);
  if (action) {
    const line = text.slice(0, action.index).split('\n').length;
    return {
      ok: false,
      message: `uses Go template actions ({{ ... }} on line ${line}); meshgate applies templates as plain YAML overlays and does not run Go templates: write the overlay without actions (a fixed pod fragment), or keep this template on istiod`,
    };
  }
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) return { ok: false, message: `is not valid YAML: ${document.errors[0]!.message.split('\n')[0]}` };
  return checkOverlay(document.toJS());
}

/** A parsed overlay: a mapping with `metadata` (labels, annotations) and `spec`, nothing else. */
export function checkOverlay(value: unknown): TemplateParse {
  if (value === null || value === undefined) return { ok: true, overlay: {} };
  if (!isObject(value)) return { ok: false, message: 'is not a mapping of pod fields (metadata, spec)' };
  const unknown = Object.keys(value).filter((k) => k !== 'metadata' && k !== 'spec');
  if (unknown.length > 0) return { ok: false, message: `sets ${unknown.join(', ')}; a template is a pod fragment with metadata (labels, annotations) and spec only` };
  const overlay: TemplateOverlay = {};
  const metadata = value['metadata'];
  if (metadata !== undefined && metadata !== null) {
    if (!isObject(metadata)) return { ok: false, message: 'metadata is not a mapping' };
    const extra = Object.keys(metadata).filter((k) => k !== 'labels' && k !== 'annotations');
    if (extra.length > 0) return { ok: false, message: `sets metadata.${extra.join(', metadata.')}; only labels and annotations are merged` };
    const out: NonNullable<TemplateOverlay['metadata']> = {};
    for (const field of ['labels', 'annotations'] as const) {
      const map = metadata[field];
      if (map === undefined || map === null) continue;
      if (!isObject(map) || !Object.values(map).every((v) => typeof v === 'string')) return { ok: false, message: `metadata.${field} must map names to strings (quote the values)` };
      out[field] = map as Record<string, string>;
    }
    overlay.metadata = out;
  }
  const spec = value['spec'];
  if (spec !== undefined && spec !== null) {
    if (!isObject(spec)) return { ok: false, message: 'spec is not a mapping' };
    overlay.spec = spec;
  }
  return { ok: true, overlay };
}
