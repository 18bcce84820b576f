/// The depth pipeline's working memory for one frame: heights above the floor and the
/// segmenter's union-find, sums and blobs. Nothing in it lives from one frame to the next, so
/// a device keeps one for all its depth lanes and hands it to each lane's `process`, instead
/// of 2.9 KB of it in every lane.
public struct DepthScratch {
    var heights = InlineArray<64, Int16>(repeating: 0)
    var segmenter = Segmenter()

    public init() {}
}
