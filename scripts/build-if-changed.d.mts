export declare const INPUTS: readonly string[];
export declare const STAMP: string;
export declare const OUTPUT: string;
export declare function needsBuild(root: string): boolean;
