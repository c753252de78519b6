/**
 * Every object ref that more than one file uses, with the type that backs it. Type files import
 * their refs from here and implement them; they never import each other, so no type file has to
 * be evaluated before another (Pothos `guide/circular-references.mdx`).
 */
import type { UpstreamVersionDetail } from '../upstream/model-versions.js';
import type { UpstreamModel } from '../upstream/models.js';
import type { UpstreamFile, UpstreamImage, UpstreamVersion } from '../upstream/shapes.js';
import { builder } from './builder.js';

export const ModelRef = builder.objectRef<UpstreamModel>('Model');

export const ModelConnectionRef = builder.connectionObject(
  { type: ModelRef, name: 'ModelConnection', description: 'A window of a model list.' },
  { name: 'ModelEdge', description: 'A model in a list, with its cursor.' },
);

/** A version and, when it was reached through its model, that model. */
export interface VersionRef {
  version: UpstreamVersion | UpstreamVersionDetail;
  model: UpstreamModel | null;
}

export const ModelVersionRef = builder.objectRef<VersionRef>('ModelVersion');

export interface FileSource {
  file: UpstreamFile;
  /** The version's download URL, for the file it downloads (2022 files carry none). */
  versionDownloadUrl: string | null;
}

export const FileRef = builder.objectRef<FileSource>('File');

export interface ImageSource {
  image: UpstreamImage;
  version: VersionRef;
}

export const ImageRef = builder.objectRef<ImageSource>('Image');

/** A creator; `image` and `modelCount` are undefined when not known yet (a model only names its creator). */
export interface CreatorSource {
  username: string;
  image?: string | null;
  modelCount?: number;
}

export const CreatorRef = builder.objectRef<CreatorSource>('Creator');

/** A tag; `modelCount` is undefined until looked up (a model only names its tags). */
export interface TagSource {
  name: string;
  modelCount?: number | null;
}

export const TagRef = builder.objectRef<TagSource>('Tag');
