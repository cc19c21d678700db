<?xml version="1.0" encoding="UTF-8"?>
<pcrs:PlanCorpsRueSimplifie version="2.0" gml:id="PCRS_2"
    xmlns:pcrs="http://cnig.gouv.fr/pcrs"
    xmlns:gml="http://www.opengis.net/gml/3.2">
  <gml:featureMember>
    <pcrs:ArbrePCRS gml:id="A1">
      <pcrs:idObjet>A1</pcrs:idObjet>
      <pcrs:thematique>07</pcrs:thematique>
      <pcrs:qualiteCategorisation>01</pcrs:qualiteCategorisation>
      <pcrs:precisionPlanimetrique>010</pcrs:precisionPlanimetrique>
      <pcrs:producteur>Test</pcrs:producteur>
      <pcrs:geometrie>
        <gml:Point gml:id="A1_G" srsName="http://www.opengis.net/def/crs/EPSG/0/3948" srsDimension="3">
          <gml:pos>1652000.5 7296100.25 35.2</gml:pos>
        </gml:Point>
      </pcrs:geometrie>
    </pcrs:ArbrePCRS>
  </gml:featureMember>
  <gml:featureMember>
    <pcrs:ArbrePCRS gml:id="A2">
      <pcrs:idObjet>A2</pcrs:idObjet>
      <pcrs:thematique>07</pcrs:thematique>
      <pcrs:qualiteCategorisation>01</pcrs:qualiteCategorisation>
      <pcrs:precisionPlanimetrique>010</pcrs:precisionPlanimetrique>
      <pcrs:producteur>Test</pcrs:producteur>
      <pcrs:geometrie>
        <gml:Point gml:id="A2_G" srsName="http://www.opengis.net/def/crs/EPSG/0/3948" srsDimension="3">
          <gml:pos>1652300 7296350.75 36.8</gml:pos>
        </gml:Point>
      </pcrs:geometrie>
    </pcrs:ArbrePCRS>
  </gml:featureMember>
  <gml:featureMember>
    <pcrs:FacadePCRS gml:id="F1">
      <pcrs:idObjet>F1</pcrs:idObjet>
      <pcrs:thematique>02</pcrs:thematique>
      <pcrs:qualiteCategorisation>01</pcrs:qualiteCategorisation>
      <pcrs:precisionPlanimetrique>005</pcrs:precisionPlanimetrique>
      <pcrs:producteur>Test</pcrs:producteur>
      <pcrs:geometrie>
        <gml:LineString gml:id="F1_G" srsName="http://www.opengis.net/def/crs/EPSG/0/3948" srsDimension="3">
          <gml:posList>1651990 7296050 34.1 1652010.5 7296400 35.0 1652400 7296401 36.2</gml:posList>
        </gml:LineString>
      </pcrs:geometrie>
    </pcrs:FacadePCRS>
  </gml:featureMember>
</pcrs:PlanCorpsRueSimplifie>
