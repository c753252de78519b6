/** `File`: one downloadable file of a model version. */
import { builder } from './builder.js';
import { ScanResultEnum, scanResultOf } from './enums.js';
import { ASSUMED_ITEMS, cost } from './cost.js';
import { FileRef } from './refs.js';
import { asRead, through } from './drift.js';

const FileHashRef = builder.objectRef<{ algorithm: string; hash: string }>('FileHash').implement({
  description:
    'A hash of a file, by kind; every kind Civitai gives is kept, and any of them finds the version through `modelVersionByHash`. ' +
    'AutoV1: 8 hex digits, the legacy AUTOMATIC1111 model hash (SHA256 of 64 KiB read at offset 1 MiB). ' +
    'AutoV2: 10 hex digits, the first ten of the SHA256 (what AUTOMATIC1111 and ComfyUI show). ' +
    'AutoV3: 12 hex digits, the first twelve of the SHA256 of a safetensors file\u2019s tensor data (its header left out). ' +
    'SHA256: 64 hex digits, SHA-256 of the whole file (the batch lookup\u2019s kind). ' +
    'CRC32: 8 hex digits, CRC-32 of the whole file. ' +
    'BLAKE3: 64 hex digits, BLAKE3 of the whole file. Older files lack some kinds (AutoV3, BLAKE3 often).',
  fields: (t) => ({
    algorithm: t.exposeString('algorithm', { description: 'The kind: AutoV1, AutoV2, AutoV3, SHA256, CRC32, BLAKE3, or a newer one Civitai added (kept as named).' }),
    hash: t.exposeString('hash', { description: 'The hash, upper-case hex as Civitai gives it.' }),
  }),
});

FileRef.implement({
  description: 'A downloadable file of a model version: the model itself, a pruned variant, a VAE, training data…',
  fields: (t) => ({
    civitaiId: t.int({ nullable: true, description: 'Civitai\u2019s numeric id of the file.', resolve: (s) => asRead(s.file.id) }),
    name: t.string({ nullable: true, description: 'The file name.', resolve: (s) => asRead(s.file.name) }),
    sizeKb: t.float({ nullable: true, description: 'Size in kilobytes (KiB).', resolve: (s) => asRead(s.file.sizeKb) }),
    type: t.string({ nullable: true, description: 'Model, Pruned Model, Training Data, VAE, Config, …', resolve: (s) => asRead(s.file.type) }),
    format: t.string({ nullable: true, description: 'SafeTensor, PickleTensor, GGUF, Diffusers, Other, …', resolve: (s) => asRead(s.file.format) }),
    fp: t.string({ nullable: true, description: 'Precision (fp16, bf16, fp32, …).', resolve: (s) => asRead(s.file.fp) }),
    size: t.string({ nullable: true, description: 'full or pruned.', resolve: (s) => asRead(s.file.size) }),
    pickleScanResult: t.field({
      type: ScanResultEnum,
      nullable: true,
      description: 'Result of the pickle-import scan.',
      resolve: (s) => through(s.file.pickleScanResult, scanResultOf),
    }),
    pickleScanMessage: t.string({ nullable: true, description: 'What the pickle scan found, as Markdown.', resolve: (s) => asRead(s.file.pickleScanMessage) }),
    virusScanResult: t.field({
      type: ScanResultEnum,
      nullable: true,
      description: 'Result of the virus scan.',
      resolve: (s) => through(s.file.virusScanResult, scanResultOf),
    }),
    virusScanMessage: t.string({ nullable: true, description: 'What the virus scan found.', resolve: (s) => asRead(s.file.virusScanMessage) }),
    scannedAt: t.field({ type: 'DateTime', nullable: true, description: 'When the file was scanned.', resolve: (s) => asRead(s.file.scannedAt) }),
    primary: t.boolean({ description: 'Whether this is the version\u2019s primary file.', resolve: (s) => asRead(s.file.primary) }),
    downloadUrl: t.string({
      nullable: true,
      description: 'Where to download this file (answers with a Content-Disposition filename).',
      resolve: (s) => asRead(s.file.downloadUrl ?? s.versionDownloadUrl),
    }),
    hashes: t.field({
      type: [FileHashRef],
      description: 'Every hash Civitai gives for the file, one per kind (see `FileHash`).',
      extensions: cost({ calls: 0, items: ASSUMED_ITEMS.hashesPerFile }),
      resolve: (s) => asRead(s.file.hashes),
    }),
  }),
});
