/** Output resolution of a generated video. */
export class Resolution {
  /** 480p buckets (e.g. 896x448 for 16:9, 640x640 for 1:1). */
  public static readonly P480 = new Resolution(480, 'infinitetalk-480');
  /** 720p buckets (e.g. 1280x704 for 16:9, 960x960 for 1:1). */
  public static readonly P720 = new Resolution(720, 'infinitetalk-720');

  /** All resolutions, smallest first. */
  public static all(): Resolution[] {
    return [Resolution.P480, Resolution.P720];
  }

  /** Look a resolution up by its short side in pixels (480 or 720). */
  public static of(pixels: number): Resolution {
    const found = Resolution.all().find((r) => r.pixels === pixels);
    if (!found) {
      throw new Error(`resolution ${pixels} is not supported: use 480 or 720 (Resolution.P480, Resolution.P720).`);
    }
    return found;
  }

  private constructor(
    /** Nominal short side in pixels: 480 or 720. */
    public readonly pixels: number,
    /** InfiniteTalk's size bucket name (`size_buckget`). */
    public readonly sizeBucket: string,
  ) {}

  /** `480p` or `720p`. */
  public toString(): string {
    return `${this.pixels}p`;
  }
}
