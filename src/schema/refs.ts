/**
 * Every object ref that more than one file uses, with the type that backs it. Type files import
 * their refs from here and implement them; they never import each other, so no type file has to
 * be evaluated before another (Pothos `guide/circular-references.mdx`).
 */
import type { UpstreamFeedImage } from '../upstream/images.js';
import type { UpstreamVersionDetail } from '../upstream/model-versions.js';
import type { UpstreamModel } from '../upstream/models.js';
import type { UpstreamFile, UpstreamImage, UpstreamVersion } from '../upstream/shapes.js';
import type { Drifting } from '../drift.js';
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

/** A sample image in a version's list (no global ID: most routes give those images no id). */
export const VersionImageRef = builder.objectRef<ImageSource>('VersionImage');

/** An image of the feed (/images): always has a Civitai id, so it is a node. */
export const ImageRef = builder.objectRef<UpstreamFeedImage>('Image');

export const ImageConnectionRef = builder.connectionObject(
  { type: ImageRef, name: 'ImageConnection', description: 'A window of an images feed.' },
  { name: 'ImageEdge', description: 'An image in a feed, with its cursor.' },
);

/** A creator; `image` and `modelCount` are undefined when not known yet (a model only names its creator). */
export interface CreatorSource {
  username: string;
  image?: Drifting<string | null>;
  modelCount?: Drifting<number>;
}

export const CreatorRef = builder.objectRef<CreatorSource>('Creator');

/** A tag; `modelCount` is undefined until looked up (a model only names its tags). */
export interface TagSource {
  name: string;
  modelCount?: Drifting<number | null>;
}

export const TagRef = builder.objectRef<TagSource>('Tag');
