import { IncidentCategory, Severity } from '../incidents/incident.entity';
import { PlaceKind } from '../places/place.entity';
import { SourceSystem } from '../sources/source-system';
import { ThingKind } from '../things/thing.entity';

/**
 * What the demo city's incidents are about: one template per sub-category (事件小类), with titles, descriptions,
 * handling feedback and departments. Placeholders: {place} {thing} {compound} {street} {community} {village}
 * {town} {townShort} {county} {owner} {n}.
 */
export interface IncidentTemplate {
  category: IncidentCategory;
  /** Sub-category (事件小类). */
  sub: string;
  weight: number;
  /** Link a place of one of these kinds in the incident's grid when there is one. */
  place?: readonly PlaceKind[];
  /** Link a thing of one of these kinds in the incident's grid when there is one. */
  thing?: readonly ThingKind[];
  /** Happens in villages (村) rather than urban communities. */
  rural?: boolean;
  titles: readonly string[];
  descriptions: readonly string[];
  feedback: readonly string[];
  /** Departments it is dispatched to. `{owner}` is the linked thing's owner unit. */
  departments: readonly string[];
  sources: ReadonlyArray<readonly [SourceSystem, number]>;
  /** Who is involved: two parties of a dispute, a victim, or one person asking for a service. */
  parties?: 'dispute' | 'victim' | 'requester';
  /** Age range of the requester, e.g. seniors asking for the senior allowance. */
  requesterAge?: readonly [number, number];
}

const { COMPREHENSIVE_GOVERNANCE: ZZ, SOCIAL_SECURITY: SB, CIVIL_AFFAIRS: MZ, CITY_MANAGEMENT: CM, GRID_APP: GA } =
  SourceSystem;
const { DISPUTE, SAFETY_HAZARD, CITY_MANAGEMENT, PUBLIC_SERVICE_REQUEST, PUBLIC_SECURITY, ENVIRONMENT, OTHER } =
  IncidentCategory;

export const INCIDENT_TEMPLATES: readonly IncidentTemplate[] = [
  // 矛盾纠纷
  {
    category: DISPUTE, sub: '邻里纠纷', weight: 30, place: [PlaceKind.HOUSE, PlaceKind.RESIDENTIAL_BUILDING], parties: 'dispute',
    titles: ['{compound}邻里噪音纠纷', '{compound}楼上漏水引发邻里纠纷', '{compound}邻居占用公共楼道引发纠纷'],
    descriptions: [
      '居民反映{place}楼上住户夜间噪音较大，多次沟通未果，双方发生口角，请求社区协调。',
      '{place}卫生间漏水至楼下住户，双方就维修费用分担意见不一，矛盾有激化苗头。',
      '{compound}住户在楼道长期堆放杂物，邻居多次劝说无果，双方发生争执。',
    ],
    feedback: ['网格员会同社区人民调解委员会上门调解，双方达成和解协议，网格员将持续回访。', '经调解，责任方同意承担维修费用并已完成维修，双方签订调解协议。'],
    departments: ['{community}人民调解委员会', '{town}综治中心'],
    sources: [[GA, 6], [ZZ, 4]],
  },
  {
    category: DISPUTE, sub: '物业纠纷', weight: 14, place: [PlaceKind.RESIDENTIAL_BUILDING], parties: 'dispute',
    titles: ['{compound}业主与物业因物业费发生纠纷', '{compound}业主反映物业服务不到位'],
    descriptions: [
      '{compound}部分业主认为物业服务不到位拒缴物业费，物业公司拟停止部分服务，业主情绪激动。',
      '业主反映{compound}电梯频繁故障、绿化无人养护，与物业多次交涉未果。',
    ],
    feedback: ['街道组织业主代表与物业公司座谈，约定整改清单，物业费按整改情况分期缴纳。', '物业公司已完成电梯维保和绿化补植，业主代表签字确认。'],
    departments: ['{town}综治中心', '{county}住房和城乡建设局'],
    sources: [[ZZ, 5], [GA, 5]],
  },
  {
    category: DISPUTE, sub: '劳资纠纷', weight: 12, place: [PlaceKind.ORGANIZATION, PlaceKind.SHOP], parties: 'dispute',
    titles: ['{place}拖欠工人工资', '{place}员工讨要加班费'],
    descriptions: [
      '{place}拖欠{n}名工人三个月工资，工人聚集讨薪，存在群体性事件风险。',
      '{place}员工反映长期加班未支付加班费，与单位协商未果。',
    ],
    feedback: ['人社部门约谈企业负责人，企业承诺分两期结清欠薪，首期已支付。', '劳动保障监察大队责令用人单位限期支付加班费，已全部支付到位。'],
    departments: ['{county}人力资源和社会保障局', '{county}劳动保障监察大队'],
    sources: [[ZZ, 5], [SB, 3], [GA, 2]],
  },
  {
    category: DISPUTE, sub: '婚姻家庭纠纷', weight: 10, place: [PlaceKind.HOUSE], parties: 'dispute',
    titles: ['家庭矛盾调解', '{compound}夫妻纠纷求助'],
    descriptions: ['辖区居民夫妻因家庭琐事多次争吵，女方向网格员求助。', '老人反映子女不履行赡养义务，要求社区出面协调。'],
    feedback: ['社区妇联与调委会上门调解，双方情绪平稳，网格员定期回访。', '经调解，子女签订赡养协议，按月支付赡养费。'],
    departments: ['{community}人民调解委员会', '{town}司法所'],
    sources: [[GA, 7], [ZZ, 3]],
  },
  {
    category: DISPUTE, sub: '土地纠纷', weight: 6, rural: true, parties: 'dispute',
    titles: ['{village}宅基地边界纠纷', '{village}耕地承包纠纷'],
    descriptions: ['村民因宅基地边界划分问题发生争执，双方各执一词。', '村民反映承包地被邻户侵占，多次协商未果。'],
    feedback: ['镇司法所会同村委会现场勘查，依据确权资料划定边界，双方签字认可。'],
    departments: ['{town}司法所', '{county}自然资源局'],
    sources: [[ZZ, 5], [GA, 5]],
  },
  // 安全隐患
  {
    category: SAFETY_HAZARD, sub: '消防通道堵塞', weight: 14, place: [PlaceKind.RESIDENTIAL_BUILDING],
    titles: ['{compound}消防通道被占用', '{place}楼道堆放杂物'],
    descriptions: ['{compound}消防通道长期停放车辆、堆放杂物，存在火灾隐患。', '{place}楼道内堆放纸箱、旧家具，堵塞疏散通道。'],
    feedback: ['物业已清理杂物并施划禁停标线，消防通道恢复畅通。', '已督促住户清理楼道杂物，社区将每周巡查。'],
    departments: ['{county}消防救援大队', '{town}综治中心'],
    sources: [[GA, 7], [ZZ, 3]],
  },
  {
    category: SAFETY_HAZARD, sub: '电动车违规充电', weight: 12, place: [PlaceKind.RESIDENTIAL_BUILDING],
    titles: ['{place}电动自行车飞线充电', '{compound}楼道内电动车充电'],
    descriptions: ['巡查发现{place}有住户从窗户拉线为电动自行车充电，存在触电和火灾风险。', '{compound}多户居民将电动车推入楼道充电。'],
    feedback: ['已劝导住户停止飞线充电，社区增设集中充电桩。'],
    departments: ['{county}消防救援大队', '{community}'],
    sources: [[GA, 8], [ZZ, 2]],
  },
  {
    category: SAFETY_HAZARD, sub: '燃气安全隐患', weight: 10, place: [PlaceKind.SHOP, PlaceKind.HOUSE],
    titles: ['{place}燃气软管老化', '{place}使用不合格燃气灶具'],
    descriptions: ['{place}后厨燃气软管老化开裂，有燃气异味。', '检查发现{place}使用无熄火保护装置的燃气灶具。'],
    feedback: ['燃气公司上门更换软管并加装燃气报警器。', '已督促更换合格灶具，燃气公司复查合格。'],
    departments: ['乌海市燃气公司', '{county}应急管理局'],
    sources: [[GA, 6], [ZZ, 4]],
  },
  {
    category: SAFETY_HAZARD, sub: '危化品存放隐患', weight: 5, thing: [ThingKind.HAZMAT_STORE], place: [PlaceKind.KEY_PLACE],
    titles: ['{thing}存放不规范', '{place}危化品超量存放'],
    descriptions: ['{thing}危化品混存、未设置警示标识，台账不全。', '检查发现{place}危化品超量存放，安全距离不足。'],
    feedback: ['应急管理部门责令整改，已规范分类存放并建立台账。'],
    departments: ['{county}应急管理局'],
    sources: [[ZZ, 7], [GA, 3]],
  },
  {
    category: SAFETY_HAZARD, sub: '房屋安全隐患', weight: 6, place: [PlaceKind.RESIDENTIAL_BUILDING, PlaceKind.HOUSE],
    titles: ['{place}外墙瓷砖脱落', '{place}墙体开裂'],
    descriptions: ['{place}外墙瓷砖大面积空鼓，已有脱落，威胁行人安全。', '居民反映{place}墙体出现裂缝并逐渐扩大。'],
    feedback: ['已设置警戒区域，维修单位完成外墙修缮。', '住建部门组织房屋安全鉴定，已完成加固。'],
    departments: ['{county}住房和城乡建设局', '{town}'],
    sources: [[GA, 7], [ZZ, 3]],
  },
  // 城市管理
  {
    category: CITY_MANAGEMENT, sub: '井盖破损', weight: 16, thing: [ThingKind.MANHOLE_COVER],
    titles: ['{thing}破损', '{thing}缺失'],
    descriptions: ['{street}{thing}破损下陷，过往行人车辆存在安全隐患。', '{thing}井盖丢失，井口无任何防护措施。'],
    feedback: ['养护单位已更换井盖并设置警示标识。'],
    departments: ['{owner}'],
    sources: [[CM, 7], [GA, 3]],
  },
  {
    category: CITY_MANAGEMENT, sub: '路灯不亮', weight: 14, thing: [ThingKind.STREET_LAMP],
    titles: ['{thing}不亮', '{street}多盏路灯夜间不亮'],
    descriptions: ['市民反映{thing}连续多日夜间不亮，影响出行安全。', '{street}一段路灯成片熄灭。'],
    feedback: ['已更换灯具及线路，路灯恢复照明。'],
    departments: ['{owner}'],
    sources: [[CM, 7], [GA, 3]],
  },
  {
    category: CITY_MANAGEMENT, sub: '部件损坏', weight: 12,
    thing: [ThingKind.FIRE_HYDRANT, ThingKind.TRAFFIC_SIGNAL, ThingKind.BUS_SHELTER, ThingKind.PUBLIC_TOILET, ThingKind.BILLBOARD, ThingKind.BRIDGE],
    titles: ['{thing}损坏', '{thing}故障'],
    descriptions: ['监督员巡查发现{thing}损坏，需维修。', '市民反映{thing}出现故障，影响正常使用。'],
    feedback: ['权属单位已完成维修，恢复正常使用。'],
    departments: ['{owner}'],
    sources: [[CM, 8], [GA, 2]],
  },
  {
    category: CITY_MANAGEMENT, sub: '垃圾满溢', weight: 10, thing: [ThingKind.TRASH_BIN],
    titles: ['{thing}垃圾满溢', '{street}垃圾未及时清运'],
    descriptions: ['{thing}垃圾满溢，周边散落垃圾，异味较大。', '{street}生活垃圾连续两天未清运。'],
    feedback: ['环卫部门已清运并增加清运频次。'],
    departments: ['{county}环境卫生服务中心'],
    sources: [[CM, 6], [GA, 4]],
  },
  {
    category: CITY_MANAGEMENT, sub: '占道经营', weight: 12, place: [PlaceKind.SHOP],
    titles: ['{place}占道经营', '{street}流动摊贩占道经营'],
    descriptions: ['{place}在店外人行道摆放货架经营，影响行人通行。', '{street}路口流动摊贩聚集，占用机动车道。'],
    feedback: ['城管执法队员现场劝导，商户已将物品搬回店内。', '已规劝摊贩进入便民市场经营。'],
    departments: ['{county}城市管理综合执法局'],
    sources: [[CM, 7], [GA, 3]],
  },
  {
    category: CITY_MANAGEMENT, sub: '违章搭建', weight: 8, place: [PlaceKind.RESIDENTIAL_BUILDING, PlaceKind.HOUSE],
    titles: ['{place}楼顶违章搭建', '{compound}私搭乱建'],
    descriptions: ['巡查发现{place}顶层住户在楼顶搭建彩钢房。', '{compound}一层住户占用公共绿地搭建棚房。'],
    feedback: ['执法部门下达限期拆除通知书，违建已拆除。'],
    departments: ['{county}城市管理综合执法局'],
    sources: [[CM, 6], [GA, 4]],
  },
  {
    category: CITY_MANAGEMENT, sub: '园林绿化', weight: 6, thing: [ThingKind.STREET_TREE, ThingKind.GREEN_BELT, ThingKind.VACANT_LOT],
    titles: ['{thing}倒伏', '{thing}被毁损'],
    descriptions: ['大风过后{thing}倒伏，占用部分车道。', '{thing}被车辆碾压损毁，需补植。'],
    feedback: ['园林部门已清理并补植。'],
    departments: ['{owner}'],
    sources: [[CM, 8], [GA, 2]],
  },
  // 民生服务诉求
  {
    category: PUBLIC_SERVICE_REQUEST, sub: '低保申请', weight: 10, parties: 'requester', requesterAge: [30, 80],
    titles: ['居民咨询低保申请条件', '困难家庭申请最低生活保障'],
    descriptions: ['居民家庭收入下降，咨询申请城乡低保的条件和材料。', '网格员走访发现困难家庭，协助申请最低生活保障。'],
    feedback: ['社区工作人员上门讲解政策，协助提交申请材料，已进入审核。'],
    departments: ['{county}民政局', '{community}'],
    sources: [[MZ, 6], [GA, 4]],
  },
  {
    category: PUBLIC_SERVICE_REQUEST, sub: '高龄津贴', weight: 8, parties: 'requester', requesterAge: [80, 100],
    titles: ['老人申请高龄津贴', '高龄津贴未按时发放'],
    descriptions: ['辖区80周岁以上老人申请高龄津贴，行动不便需上门办理。', '老人反映本月高龄津贴未到账。'],
    feedback: ['已上门采集信息并完成申请，次月起发放。', '经核查系银行卡信息变更，已更正并补发。'],
    departments: ['{county}民政局'],
    sources: [[MZ, 7], [GA, 3]],
  },
  {
    category: PUBLIC_SERVICE_REQUEST, sub: '社保业务', weight: 10, parties: 'requester', requesterAge: [18, 90],
    titles: ['退休人员养老金资格认证求助', '居民咨询医保异地报销', '失业人员申请就业援助'],
    descriptions: ['退休老人不会使用手机进行养老金资格认证，请求帮助。', '居民咨询异地就医备案和报销流程。', '失业人员希望获得职业培训和就业推荐。'],
    feedback: ['社保经办人员上门完成认证。', '已告知备案流程并协助线上办理。', '已推荐至就业服务中心参加技能培训。'],
    departments: ['{county}人力资源和社会保障局', '{county}医疗保障局'],
    sources: [[SB, 6], [GA, 4]],
  },
  {
    category: PUBLIC_SERVICE_REQUEST, sub: '供暖问题', weight: 10, place: [PlaceKind.RESIDENTIAL_BUILDING, PlaceKind.HOUSE], parties: 'requester',
    titles: ['{place}供暖温度不达标', '{compound}暖气不热'],
    descriptions: ['居民反映{place}室内温度不足16℃，老人孩子受冻。', '{compound}多户居民反映暖气不热。'],
    feedback: ['热力公司上门排查，清洗管道后室温达到18℃以上。'],
    departments: ['乌海市热力公司'],
    sources: [[GA, 10]],
  },
  {
    category: PUBLIC_SERVICE_REQUEST, sub: '供水问题', weight: 6, place: [PlaceKind.RESIDENTIAL_BUILDING], parties: 'requester',
    titles: ['{compound}突然停水', '{place}水压不足'],
    descriptions: ['{compound}未提前通知停水，居民生活受影响。', '{place}高层住户水压不足，无法正常用水。'],
    feedback: ['自来水公司抢修管道后恢复供水，已张贴停水公告制度。'],
    departments: ['乌海市自来水公司'],
    sources: [[GA, 10]],
  },
  {
    category: PUBLIC_SERVICE_REQUEST, sub: '困难帮扶', weight: 6, parties: 'requester', requesterAge: [65, 100],
    titles: ['独居老人需要生活照料', '残疾人申请辅助器具'],
    descriptions: ['网格员走访发现独居老人行动不便，需要助餐助洁服务。', '残疾人家属申请轮椅等辅助器具。'],
    feedback: ['已纳入居家养老服务，志愿者每周上门。', '残联已配发辅助器具。'],
    departments: ['{county}民政局', '{county}残疾人联合会'],
    sources: [[MZ, 5], [GA, 5]],
  },
  // 治安问题
  {
    category: PUBLIC_SECURITY, sub: '盗窃', weight: 10, place: [PlaceKind.RESIDENTIAL_BUILDING], parties: 'victim',
    titles: ['{compound}电动自行车被盗', '{place}入室盗窃'],
    descriptions: ['居民反映停放在{compound}的电动自行车被盗。', '{place}住户家中被盗，现金及首饰丢失。'],
    feedback: ['派出所已立案侦查，调取监控后追回被盗车辆。', '已立案，社区加强夜间巡逻。'],
    departments: ['乌海市公安局{county}分局{townShort}派出所'],
    sources: [[ZZ, 6], [GA, 4]],
  },
  {
    category: PUBLIC_SECURITY, sub: '电信诈骗', weight: 8, parties: 'victim',
    titles: ['居民疑似遭遇电信诈骗', '老人接到冒充公检法诈骗电话'],
    descriptions: ['居民接到自称客服的电话，被诱导转账{n}千元。', '老人接到冒充公安的电话，要求将存款转入"安全账户"，家属及时发现。'],
    feedback: ['派出所已立案并开展反诈宣传入户。', '民警上门劝阻，避免了财产损失。'],
    departments: ['乌海市公安局{county}分局{townShort}派出所'],
    sources: [[ZZ, 6], [GA, 4]],
  },
  {
    category: PUBLIC_SECURITY, sub: '寻衅滋事', weight: 7, place: [PlaceKind.SHOP, PlaceKind.KEY_PLACE], parties: 'victim',
    titles: ['{place}门前酒后滋事', '{place}发生打架事件'],
    descriptions: ['夜间有人在{place}门前酒后滋事，砸坏物品。', '{place}内顾客因琐事发生肢体冲突。'],
    feedback: ['民警到场处置，当事人已依法处理。'],
    departments: ['乌海市公安局{county}分局{townShort}派出所'],
    sources: [[ZZ, 7], [GA, 3]],
  },
  {
    category: PUBLIC_SECURITY, sub: '重点场所管理', weight: 5, place: [PlaceKind.KEY_PLACE],
    titles: ['{place}违规接纳未成年人', '{place}未落实实名登记'],
    descriptions: ['检查发现{place}接纳未成年人上网。', '{place}未按规定对住宿人员进行实名登记。'],
    feedback: ['公安部门依法处罚并责令整改，复查合格。'],
    departments: ['乌海市公安局{county}分局{townShort}派出所', '{county}文化和旅游局'],
    sources: [[ZZ, 8], [GA, 2]],
  },
  // 生态环境
  {
    category: ENVIRONMENT, sub: '扬尘污染', weight: 10,
    titles: ['{street}工地扬尘污染', '{street}渣土车遗撒'],
    descriptions: ['{street}附近工地未覆盖裸土，大风天扬尘严重。', '渣土车沿{street}遗撒，路面污染。'],
    feedback: ['责令工地覆盖裸土并安装喷淋设施。', '已清扫路面，对运输单位依法处罚。'],
    departments: ['乌海市生态环境局{county}分局', '{county}城市管理综合执法局'],
    sources: [[CM, 5], [GA, 5]],
  },
  {
    category: ENVIRONMENT, sub: '油烟噪声扰民', weight: 10, place: [PlaceKind.SHOP],
    titles: ['{place}油烟扰民', '{place}夜间噪声扰民'],
    descriptions: ['居民反映{place}油烟直排，影响楼上住户。', '{place}夜间经营噪声较大，影响周边居民休息。'],
    feedback: ['商户已安装油烟净化器，复查达标。', '已约谈经营者，22时后停止室外经营。'],
    departments: ['乌海市生态环境局{county}分局', '{county}城市管理综合执法局'],
    sources: [[GA, 6], [CM, 4]],
  },
  {
    category: ENVIRONMENT, sub: '露天焚烧', weight: 6, rural: true,
    titles: ['{village}露天焚烧垃圾', '{village}焚烧秸秆'],
    descriptions: ['村民在村口空地焚烧生活垃圾，浓烟较大。', '巡查发现农田内焚烧秸秆。'],
    feedback: ['已扑灭火源并开展禁烧宣传。'],
    departments: ['{town}', '乌海市生态环境局{county}分局'],
    sources: [[GA, 8], [ZZ, 2]],
  },
  {
    category: ENVIRONMENT, sub: '污水外溢', weight: 6, thing: [ThingKind.MANHOLE_COVER],
    titles: ['{thing}污水外溢', '{street}污水冒溢'],
    descriptions: ['{thing}污水外溢，路面积水发臭。', '{street}排水管道堵塞，污水漫流。'],
    feedback: ['已疏通管道，路面已冲洗。'],
    departments: ['{owner}', '乌海市市政设施管理处'],
    sources: [[CM, 6], [GA, 4]],
  },
  {
    category: ENVIRONMENT, sub: '黄河岸线垃圾', weight: 3,
    titles: ['黄河岸边堆积垃圾', '乌海湖岸线漂浮垃圾'],
    descriptions: ['巡河发现黄河岸边堆积生活和建筑垃圾。', '乌海湖岸线有漂浮垃圾聚集。'],
    feedback: ['河长办组织清理，已全部清运。'],
    departments: ['{county}水务局'],
    sources: [[GA, 6], [CM, 4]],
  },
  // 其他
  {
    category: OTHER, sub: '流浪动物', weight: 5,
    titles: ['{compound}流浪犬伤人隐患', '{street}流浪犬聚集'],
    descriptions: ['{compound}有多只流浪犬出没，居民担心伤人。', '{street}流浪犬聚集，追逐行人。'],
    feedback: ['已联系动物收容机构捕捉收容。'],
    departments: ['{county}城市管理综合执法局'],
    sources: [[GA, 10]],
  },
  {
    category: OTHER, sub: '群众求助', weight: 5, parties: 'requester',
    titles: ['群众求助寻找走失老人', '居民求助开锁', '居民求助疏通下水道'],
    descriptions: ['家属反映患有阿尔茨海默病的老人外出未归。', '独居老人钥匙锁在屋内，请求帮助。', '居民家中下水道堵塞，请求帮助联系维修。'],
    feedback: ['网格员与民警配合，已找到老人并送回家中。', '已联系开锁服务，问题解决。', '已协调物业维修。'],
    departments: ['{community}', '{town}便民服务中心'],
    sources: [[GA, 10]],
  },
];

/** Relative frequency of each category among incidents. */
export const CATEGORY_WEIGHTS: ReadonlyArray<readonly [IncidentCategory, number]> = [
  [DISPUTE, 18], [SAFETY_HAZARD, 15], [CITY_MANAGEMENT, 30], [PUBLIC_SERVICE_REQUEST, 15],
  [PUBLIC_SECURITY, 7], [ENVIRONMENT, 10], [OTHER, 5],
];

/** Severity mix per category. */
export const SEVERITY_WEIGHTS: Readonly<Record<IncidentCategory, ReadonlyArray<readonly [Severity, number]>>> = {
  DISPUTE: [[Severity.LOW, 45], [Severity.MEDIUM, 38], [Severity.HIGH, 14], [Severity.CRITICAL, 3]],
  SAFETY_HAZARD: [[Severity.LOW, 20], [Severity.MEDIUM, 40], [Severity.HIGH, 30], [Severity.CRITICAL, 10]],
  CITY_MANAGEMENT: [[Severity.LOW, 55], [Severity.MEDIUM, 33], [Severity.HIGH, 10], [Severity.CRITICAL, 2]],
  PUBLIC_SERVICE_REQUEST: [[Severity.LOW, 60], [Severity.MEDIUM, 32], [Severity.HIGH, 7], [Severity.CRITICAL, 1]],
  PUBLIC_SECURITY: [[Severity.LOW, 20], [Severity.MEDIUM, 40], [Severity.HIGH, 30], [Severity.CRITICAL, 10]],
  ENVIRONMENT: [[Severity.LOW, 45], [Severity.MEDIUM, 38], [Severity.HIGH, 14], [Severity.CRITICAL, 3]],
  OTHER: [[Severity.LOW, 65], [Severity.MEDIUM, 28], [Severity.HIGH, 6], [Severity.CRITICAL, 1]],
};

export const ESCALATION_REASONS = [
  '涉及多个部门，需上级统筹协调',
  '本级无处置权限，提请上级处理',
  '当事人情绪激烈，矛盾有升级风险',
  '处置难度大，需调动更多力量',
];
export const REJECTION_REASONS = ['重复上报，已并入原案件', '不属于受理范围，已告知当事人向相关部门反映', '经核实情况不属实', '信息不全且无法联系上报人'];
export const VERIFY_FAIL_REASONS = ['现场核查问题仍然存在', '群众对处置结果不认可', '整改不彻底'];
